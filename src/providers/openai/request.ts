// OpenAI chat-completions requests → IR (a client calling `POST /v1/chat/completions` for a model
// served through another protocol); the reverse direction is in request-encode.ts.
//
// Documented defaults (dropped or adjusted rather than refused, because the reply is unaffected):
// - client side: `system`/`developer` messages anywhere are hoisted, in order, into the system
//   prompt; message `name` is dropped; `store`, `service_tier`, `prompt_cache_key`,
//   `prompt_cache_retention`, `prompt_cache_options`, `verbosity` and
//   `stream_options.include_obfuscation` are dropped; `n: 1`, `logprobs: false`, `top_logprobs: 0`,
//   empty `logit_bias` and `modalities: ["text"]` are accepted as the defaults they are;
//   `safety_identifier` is read as the end-user id when `user` is absent; a part's
//   `prompt_cache_breakpoint` is read as a cache hint; an assistant `refusal` in the history is text.
// - upstream side: reasoning text and signatures in the history are dropped (chat completions has no
//   input field for them); `is_error` on tool results is dropped (the result text carries the
//   error); cache hints are dropped (OpenAI caches prefixes implicitly); a thinking budget becomes
//   `reasoning_effort` (bridge/reasoning.ts) and adaptive reasoning without an effort sends none (the
//   model's default); `seed` and penalties are sent as given; streams always ask for usage
//   (`stream_options.include_usage`) so the gateway can meter them.
// Refused: `n` > 1, `logprobs`, `top_logprobs`, `logit_bias`, audio (`audio`, `modalities`,
// `input_audio` parts), `file` parts, custom (non-function) tools and tool choices, legacy
// `functions`/`function_call`, `prediction`, `web_search_options` and any other unknown field;
// upstream side: `top_k`, images inside tool results.
import type {
  IRCacheHint,
  IRImagePart,
  IRMessage,
  IRRequest,
  IRResponseFormat,
  IRTextPart,
  IRTool,
  IRToolChoice,
  IRToolResultPart,
  IRUserPart,
} from '../../bridge/ir';
import {
  checkFields,
  invalid,
  isRecord,
  type JsonRecord,
  optArray,
  optBoolean,
  optInteger,
  optNumber,
  optRecord,
  optString,
  requireRecord,
  requireString,
  unsupported,
} from '../../bridge/read';
import { appendToolResult, readUserAndMetadata } from './request-common';

const KNOWN = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'reasoning_effort',
  'user',
  'safety_identifier',
  'metadata',
  'presence_penalty',
  'frequency_penalty',
  'seed',
  'n',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'modalities',
] as const;
const IGNORED = [
  'store',
  'service_tier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'prompt_cache_options',
  'verbosity',
] as const;

const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;

export function chatRequestToIR(input: unknown): IRRequest {
  const body = requireRecord(input, 'body');
  checkFields(body, KNOWN, IGNORED);
  refuseDefaultsOnly(body);
  const system: IRTextPart[] = [];
  const messages = readMessages(optArray(body, 'messages') ?? [], system);
  const streamOptions = optRecord(body, 'stream_options');
  const ir: IRRequest = {
    model: requireString(body, 'model'),
    system,
    messages,
    tools: (optArray(body, 'tools') ?? []).map(readTool),
    stop: readStop(body['stop']),
    stream: optBoolean(body, 'stream') ?? false,
    streamUsage: streamOptions?.['include_usage'] === true,
  };
  const toolChoice = readToolChoice(body['tool_choice']);
  if (toolChoice !== undefined) ir.toolChoice = toolChoice;
  const parallel = optBoolean(body, 'parallel_tool_calls');
  if (parallel !== undefined) ir.parallelToolCalls = parallel;
  const max = optInteger(body, 'max_completion_tokens') ?? optInteger(body, 'max_tokens');
  if (max !== undefined) ir.maxOutputTokens = max;
  setNumber(ir, 'temperature', optNumber(body, 'temperature'));
  setNumber(ir, 'topP', optNumber(body, 'top_p'));
  setNumber(ir, 'presencePenalty', optNumber(body, 'presence_penalty'));
  setNumber(ir, 'frequencyPenalty', optNumber(body, 'frequency_penalty'));
  setNumber(ir, 'seed', optInteger(body, 'seed'));
  const format = readResponseFormat(optRecord(body, 'response_format'), 'response_format');
  if (format) ir.responseFormat = format;
  const effort = optString(body, 'reasoning_effort');
  if (effort !== undefined) {
    if (!(EFFORTS as readonly string[]).includes(effort)) throw invalid('reasoning_effort', 'unknown value');
    ir.reasoning = { effort: effort as (typeof EFFORTS)[number] };
  }
  readUserAndMetadata(body, ir);
  return ir;
}

type NumericKey = 'temperature' | 'topP' | 'presencePenalty' | 'frequencyPenalty' | 'seed';
function setNumber(ir: IRRequest, key: NumericKey, v: number | undefined): void {
  if (v !== undefined) ir[key] = v;
}

/** Fields accepted only at their default value: anything else changes the answer's shape. */
function refuseDefaultsOnly(body: JsonRecord): void {
  const n = optInteger(body, 'n');
  if (n !== undefined && n !== 1) throw unsupported('n', 'only one choice (n = 1) can be generated');
  if (optBoolean(body, 'logprobs') === true)
    throw unsupported('logprobs', 'log probabilities are not available');
  const top = optInteger(body, 'top_logprobs');
  if (top !== undefined && top > 0) throw unsupported('top_logprobs', 'log probabilities are not available');
  const bias = optRecord(body, 'logit_bias');
  if (bias && Object.keys(bias).length > 0) throw unsupported('logit_bias', 'token biasing is not available');
  const modalities = optArray(body, 'modalities');
  if (modalities?.some((m) => m !== 'text')) throw unsupported('modalities', 'only text output is available');
}

export function readStop(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  throw invalid('stop', 'must be a string or an array of strings');
}

function readMessages(raw: unknown[], system: IRTextPart[]): IRMessage[] {
  const out: IRMessage[] = [];
  raw.forEach((m, i) => {
    const param = `messages[${i}]`;
    const msg = requireRecord(m, param);
    const role = msg['role'];
    if (role === 'system' || role === 'developer') {
      system.push(...textParts(msg['content'], `${param}.content`));
    } else if (role === 'user') {
      out.push({ role: 'user', content: userParts(msg['content'], `${param}.content`) });
    } else if (role === 'assistant') {
      out.push(assistantMessage(msg, param));
    } else if (role === 'tool') {
      const result: IRToolResultPart = {
        type: 'tool_result',
        toolCallId: requireString(msg, 'tool_call_id', `${param}.tool_call_id`),
        content: textParts(msg['content'], `${param}.content`),
        isError: false,
      };
      appendToolResult(out, result);
    } else {
      throw unsupported(`${param}.role`, `role ${JSON.stringify(role)} is not supported`);
    }
  });
  return out;
}

function cacheOf(part: JsonRecord): { cache?: IRCacheHint } {
  return isRecord(part['prompt_cache_breakpoint']) ? { cache: {} } : {};
}

function textParts(content: unknown, param: string): IRTextPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) throw invalid(param, 'must be a string or an array of parts');
  return content.map((p, j) => {
    const part = requireRecord(p, `${param}[${j}]`);
    if (part['type'] !== 'text') throw unsupported(`${param}[${j}].type`, 'only text parts are allowed here');
    return { type: 'text', text: requireString(part, 'text', `${param}[${j}].text`), ...cacheOf(part) };
  });
}

function userParts(content: unknown, param: string): IRUserPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalid(param, 'must be a string or an array of parts');
  return content.map((p, j): IRUserPart => {
    const at = `${param}[${j}]`;
    const part = requireRecord(p, at);
    if (part['type'] === 'text') {
      return { type: 'text', text: requireString(part, 'text', `${at}.text`), ...cacheOf(part) };
    }
    if (part['type'] === 'image_url')
      return imagePart(requireRecord(part['image_url'], `${at}.image_url`), at, part);
    throw unsupported(`${at}.type`, `${JSON.stringify(part['type'])} parts cannot be translated`);
  });
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function imagePart(img: JsonRecord, at: string, part: JsonRecord): IRImagePart {
  const url = requireString(img, 'url', `${at}.image_url.url`);
  const data = DATA_URL.exec(url);
  const out: IRImagePart = {
    type: 'image',
    source:
      data?.[1] && data[2] !== undefined
        ? { kind: 'base64', mediaType: data[1], data: data[2] }
        : { kind: 'url', url },
    ...cacheOf(part),
  };
  const detail = img['detail'];
  if (detail === 'auto' || detail === 'low' || detail === 'high') out.detail = detail;
  return out;
}

function assistantMessage(msg: JsonRecord, param: string): IRMessage {
  if (msg['audio'] !== undefined && msg['audio'] !== null)
    throw unsupported(`${param}.audio`, 'audio cannot be translated');
  if (msg['function_call'] !== undefined && msg['function_call'] !== null) {
    throw unsupported(`${param}.function_call`, 'legacy function calls are not supported; use tool_calls');
  }
  const content: Extract<IRMessage, { role: 'assistant' }>['content'] = [];
  // Not in OpenAI's API, but what DeepSeek-style servers return and clients echo back.
  const reasoning = optString(msg, 'reasoning_content', `${param}.reasoning_content`);
  if (reasoning) content.push({ type: 'thinking', text: reasoning });
  const raw = msg['content'];
  if (typeof raw === 'string') {
    if (raw !== '') content.push({ type: 'text', text: raw });
  } else if (Array.isArray(raw)) {
    raw.forEach((p, j) => {
      const part = requireRecord(p, `${param}.content[${j}]`);
      if (part['type'] === 'text') content.push({ type: 'text', text: requireString(part, 'text') });
      else if (part['type'] === 'refusal')
        content.push({ type: 'text', text: requireString(part, 'refusal') });
      else throw unsupported(`${param}.content[${j}].type`, 'only text and refusal parts are allowed');
    });
  } else if (raw !== null && raw !== undefined) {
    throw invalid(`${param}.content`, 'must be a string, an array of parts or null');
  }
  const refusal = optString(msg, 'refusal', `${param}.refusal`);
  if (refusal) content.push({ type: 'text', text: refusal });
  (optArray(msg, 'tool_calls', `${param}.tool_calls`) ?? []).forEach((c, k) => {
    const at = `${param}.tool_calls[${k}]`;
    const call = requireRecord(c, at);
    if (call['type'] !== undefined && call['type'] !== 'function')
      throw unsupported(`${at}.type`, 'only function tools');
    const fn = requireRecord(call['function'], `${at}.function`);
    content.push({
      type: 'tool_call',
      id: requireString(call, 'id', `${at}.id`),
      name: requireString(fn, 'name', `${at}.function.name`),
      arguments: optString(fn, 'arguments', `${at}.function.arguments`) ?? '',
    });
  });
  return { role: 'assistant', content };
}

function readTool(t: unknown, i: number): IRTool {
  const at = `tools[${i}]`;
  const tool = requireRecord(t, at);
  if (tool['type'] !== 'function') throw unsupported(`${at}.type`, 'only function tools can be translated');
  const fn = requireRecord(tool['function'], `${at}.function`);
  const out: IRTool = {
    name: requireString(fn, 'name', `${at}.function.name`),
    parameters: optRecord(fn, 'parameters', `${at}.function.parameters`) ?? {
      type: 'object',
      properties: {},
    },
  };
  const description = optString(fn, 'description', `${at}.function.description`);
  if (description !== undefined) out.description = description;
  const strict = optBoolean(fn, 'strict', `${at}.function.strict`);
  if (strict !== undefined) out.strict = strict;
  return out;
}

function readToolChoice(v: unknown): IRToolChoice | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 'auto' || v === 'none' || v === 'required') return v;
  const choice = requireRecord(v, 'tool_choice');
  if (choice['type'] !== 'function')
    throw unsupported('tool_choice', 'only function tool choices can be translated');
  return {
    name: requireString(requireRecord(choice['function'], 'tool_choice.function'), 'name', 'tool_choice'),
  };
}

export function readResponseFormat(f: JsonRecord | undefined, param: string): IRResponseFormat | undefined {
  if (!f) return undefined;
  if (f['type'] === 'text' || f['type'] === 'json_object') return { type: f['type'] };
  if (f['type'] !== 'json_schema')
    throw unsupported(`${param}.type`, 'only text, json_object and json_schema');
  const js = requireRecord(f['json_schema'], `${param}.json_schema`);
  const out: IRResponseFormat = {
    type: 'json_schema',
    name: requireString(js, 'name', `${param}.json_schema.name`),
    schema: optRecord(js, 'schema', `${param}.json_schema.schema`) ?? {},
  };
  const strict = optBoolean(js, 'strict');
  if (strict !== undefined) out.strict = strict;
  const description = optString(js, 'description');
  if (description !== undefined) out.description = description;
  return out;
}
