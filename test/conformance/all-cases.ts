// Every adapter the conformance suite runs.
import { anthropicCase } from './case-anthropic';
import { geminiCase } from './case-gemini';
import { azureOpenAICase, openAIChatCase } from './case-openai-chat';
import { responsesCase } from './case-responses';
import type { AdapterCase } from './cases';

export const CASES: AdapterCase[] = [
  openAIChatCase,
  anthropicCase,
  geminiCase,
  responsesCase,
  azureOpenAICase,
];
