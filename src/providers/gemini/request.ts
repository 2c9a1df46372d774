// Gemini generateContent requests → IR (a client calling `POST /v1beta/models/{model}:generateContent`
// or `:streamGenerateContent`; the model and streaming come from the URL). The reverse direction is
// in request-encode.ts. Field names are read in camelCase or snake_case, as the REST API accepts both.
//
// Documented defaults: `safetySettings` are dropped (other providers apply their own policies);
// `thinkingConfig.includeThoughts` is dropped (reasoning text is returned whenever the upstream
// sends it); `thinkingBudget: -1` means adaptive; `candidateCount: 1`, `responseLogprobs: false` and
// `responseModalities: ["TEXT"]` are accepted as the defaults they are; `mediaResolution` is dropped;
// OpenAPI-style `parameters`/`responseSchema` have their upper-case types lower-cased into JSON
// schema; tool calls without an `id` get `call_<turn>_<part>`, and a function response without an
// `id` answers the oldest unanswered call of that name; a JSON response schema is named "response";
// a function response's `output` (or `error`, marking an error) string becomes the result text, any
// other response object its JSON text.
// Google Search is web search for the upstream to map (bridge/builtin-tools.ts); other built-in
// tools (code execution, URL context…) are left out and reported in `x-switchyard-dropped`.
// Refused: `cachedContent`, function-calling
// mode VALIDATED or ANY limited to several names, `candidateCount` > 1, log probabilities, non-text
// output modalities, media other than images, code-execution parts, and any other unknown field.
import type {
  IRAssistantPart,
  IRMessage,
  IRReasoning,
  IRRequest,
  IRTextPart,
  IRTool,
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
import { camelKeys, toJsonSchema } from './schema';

const KNOWN = ['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'model'] as const;
const IGNORED = ['safetySettings', 'labels'] as const;
const CONFIG_KNOWN = [
  'stopSequences',
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'presencePenalty',
  'frequencyPenalty',
  'seed',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'thinkingConfig',
  'candidateCount',
  'responseLogprobs',
  'responseModalities',
] as const;

export function geminiRequestToIR(
  input: unknown,
  route: { model?: string; stream?: boolean } = {},
): IRRequest {
  const body = camelKeys(requireRecord(input, 'body'));
  checkFields(body, KNOWN, IGNORED);
  const model = route.model ?? optString(body, 'model')?.replace(/^models\//, '');
  if (!model) throw invalid('model', 'is required');
  const config = camelKeys(optRecord(body, 'generationConfig') ?? {});
  checkFields(config, CONFIG_KNOWN, ['mediaResolution']);
  const tools = optArray(body, 'tools') ?? [];
  const ir: IRRequest = {
    model,
    system: systemParts(body['systemInstruction']),
    messages: readContents(optArray(body, 'contents') ?? []),
    tools: [],
    stop: (optArray(config, 'stopSequences', 'generationConfig.stopSequences') ?? []).map((s) => String(s)),
    stream: route.stream ?? false,
    streamUsage: true,
  };
  readTools(tools, ir);
  readToolConfig(camelKeys(optRecord(body, 'toolConfig') ?? {}), ir);
  readConfig(config, ir);
  return ir;
}

function systemParts(v: unknown): IRTextPart[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [{ type: 'text', text: v }];
  const content = requireRecord(v, 'systemInstruction');
  return (optArray(content, 'parts', 'systemInstruction.parts') ?? []).map((p, i) => {
    const text = optString(requireRecord(p, `systemInstruction.parts[${i}]`), 'text');
    if (text === undefined) throw unsupported(`systemInstruction.parts[${i}]`, 'only text parts are allowed');
    return { type: 'text', text };
  });
}

function readContents(raw: unknown[]): IRMessage[] {
  const out: IRMessage[] = [];
  const pending = new Map<string, string[]>();
  raw.forEach((c, i) => {
    const at = `contents[${i}]`;
    const content = requireRecord(c, at);
    const parts = (optArray(content, 'parts', `${at}.parts`) ?? []).map((p, j) =>
      camelKeys(requireRecord(p, `${at}.parts[${j}]`)),
    );
    if (content['role'] === 'model') {
      out.push({ role: 'assistant', content: modelParts(parts, at, i, pending) });
      return;
    }
    if (content['role'] !== undefined && content['role'] !== 'user' && content['role'] !== 'function') {
      throw invalid(`${at}.role`, 'must be user or model');
    }
    const results: IRToolResultPart[] = [];
    const user: IRUserPart[] = [];
    parts.forEach((p, j) => {
      const pat = `${at}.parts[${j}]`;
      if (p['functionResponse'] !== undefined)
        results.push(functionResponse(camelKeys(requireRecord(p['functionResponse'], pat)), pat, pending));
      else user.push(userPart(p, pat));
    });
    if (results.length > 0) out.push({ role: 'tool', content: results });
    if (user.length > 0 || results.length === 0) out.push({ role: 'user', content: user });
  });
  return out;
}

const MEDIA_KEYS = ['executableCode', 'codeExecutionResult', 'videoMetadata', 'toolCall', 'toolResponse'];

function userPart(p: JsonRecord, at: string): IRUserPart {
  for (const k of MEDIA_KEYS)
    if (p[k] !== undefined) throw unsupported(`${at}.${k}`, 'this part cannot be translated');
  const text = optString(p, 'text', `${at}.text`);
  if (text !== undefined) return { type: 'text', text };
  if (isRecord(p['inlineData'])) {
    const d = camelKeys(p['inlineData']);
    const mediaType = requireString(d, 'mimeType', `${at}.inlineData.mimeType`);
    if (!mediaType.startsWith('image/'))
      throw unsupported(`${at}.inlineData`, 'only images can be translated');
    return {
      type: 'image',
      source: { kind: 'base64', mediaType, data: requireString(d, 'data', `${at}.inlineData.data`) },
    };
  }
  if (isRecord(p['fileData'])) {
    const f = camelKeys(p['fileData']);
    const mediaType = optString(f, 'mimeType');
    if (mediaType !== undefined && !mediaType.startsWith('image/')) {
      throw unsupported(`${at}.fileData`, 'only images can be translated');
    }
    return {
      type: 'image',
      source: { kind: 'url', url: requireString(f, 'fileUri', `${at}.fileData.fileUri`) },
    };
  }
  throw unsupported(at, 'this part cannot be translated');
}

function modelParts(
  parts: JsonRecord[],
  at: string,
  turn: number,
  pending: Map<string, string[]>,
): IRAssistantPart[] {
  const out: IRAssistantPart[] = [];
  parts.forEach((p, j) => {
    const pat = `${at}.parts[${j}]`;
    const signature = optString(p, 'thoughtSignature', `${pat}.thoughtSignature`);
    // As in the stream decoder: consecutive thoughts form one reasoning part, and a signature (on a
    // thought or on the answer part after it) closes the reasoning before it (see response.ts).
    const last = out[out.length - 1];
    const open =
      last?.type === 'thinking' && !last.signature && last.redactedData === undefined ? last : undefined;
    const sign = (): void => {
      if (!signature) return;
      if (open) open.signature = signature;
      else out.push({ type: 'thinking', text: '', signature });
    };
    if (p['thought'] === true) {
      const text = optString(p, 'text', `${pat}.text`) ?? '';
      if (open) open.text += text;
      else if (text !== '') {
        out.push({ type: 'thinking', text, ...(signature ? { signature } : {}) });
        return;
      }
      sign();
      return;
    }
    sign();
    if (isRecord(p['functionCall'])) {
      const fc = p['functionCall'];
      const name = requireString(fc, 'name', `${pat}.functionCall.name`);
      const id = optString(fc, 'id') ?? `call_${turn}_${j}`;
      pending.set(name, [...(pending.get(name) ?? []), id]);
      out.push({ type: 'tool_call', id, name, arguments: JSON.stringify(fc['args'] ?? {}) });
      return;
    }
    const text = optString(p, 'text', `${pat}.text`);
    if (text === undefined)
      throw unsupported(pat, 'model turns may only hold text, thoughts and function calls');
    out.push({ type: 'text', text });
  });
  return out;
}

function functionResponse(fr: JsonRecord, at: string, pending: Map<string, string[]>): IRToolResultPart {
  const name = requireString(fr, 'name', `${at}.functionResponse.name`);
  const queue = pending.get(name) ?? [];
  const id = optString(fr, 'id') ?? queue[0];
  if (id === undefined) throw invalid(`${at}.functionResponse`, `answers no earlier call of ${name}`);
  pending.set(
    name,
    queue.filter((q) => q !== id),
  );
  const response = optRecord(fr, 'response', `${at}.functionResponse.response`) ?? {};
  const keys = Object.keys(response);
  const only = keys.length === 1 ? keys[0] : undefined;
  const single = only === undefined ? undefined : response[only];
  const isError = only === 'error' && typeof single === 'string';
  const text =
    (only === 'output' || isError) && typeof single === 'string' ? single : JSON.stringify(response);
  return { type: 'tool_result', toolCallId: id, content: [{ type: 'text', text }], isError };
}

/** Google Search (and its older retrieval form) is web search, for the upstream to map. */
const SEARCH_TOOLS = ['googleSearch', 'googleSearchRetrieval'];

/**
 * Function declarations into `ir.tools`; Google Search into `ir.builtinTools`; any other built-in
 * (code execution, URL context, maps…) is left out and reported, since no other provider runs it
 * (Gemini's tool config can force functions only, so a built-in is never forced).
 */
function readTools(raw: unknown[], ir: IRRequest): void {
  raw.forEach((t, i) => {
    const tool = camelKeys(requireRecord(t, `tools[${i}]`));
    for (const kind of Object.keys(tool)) {
      if (kind === 'functionDeclarations') continue;
      if (SEARCH_TOOLS.includes(kind)) {
        if (!ir.builtinTools?.length)
          ir.builtinTools = [{ kind: 'web_search', param: `tools[${i}].${kind}` }];
      } else ir.dropped = [...(ir.dropped ?? []), `tools[${i}].${kind}`];
    }
    const declarations = (
      optArray(tool, 'functionDeclarations', `tools[${i}].functionDeclarations`) ?? []
    ).map((d, j): IRTool => {
      const at = `tools[${i}].functionDeclarations[${j}]`;
      const decl = camelKeys(requireRecord(d, at));
      const schema = optRecord(decl, 'parametersJsonSchema') ?? toJsonSchema(optRecord(decl, 'parameters'));
      const out: IRTool = {
        name: requireString(decl, 'name', `${at}.name`),
        parameters: schema ?? { type: 'object', properties: {} },
      };
      const description = optString(decl, 'description', `${at}.description`);
      if (description !== undefined) out.description = description;
      return out;
    });
    ir.tools.push(...declarations);
  });
}

function readToolConfig(tc: JsonRecord, ir: IRRequest): void {
  const fcc = camelKeys(optRecord(tc, 'functionCallingConfig', 'toolConfig.functionCallingConfig') ?? {});
  const mode = optString(fcc, 'mode', 'toolConfig.functionCallingConfig.mode')?.toUpperCase();
  const allowed = (optArray(fcc, 'allowedFunctionNames') ?? []).map(String);
  if (mode === undefined || mode === 'AUTO' || mode === 'MODE_UNSPECIFIED') {
    if (mode === 'AUTO') ir.toolChoice = 'auto';
  } else if (mode === 'NONE') ir.toolChoice = 'none';
  else if (mode === 'ANY' && allowed.length <= 1)
    ir.toolChoice = allowed[0] ? { name: allowed[0] } : 'required';
  else
    throw unsupported(
      'toolConfig.functionCallingConfig',
      `mode ${mode} with these names cannot be translated`,
    );
}

function readConfig(config: JsonRecord, ir: IRRequest): void {
  const p = (k: string) => `generationConfig.${k}`;
  const set = <
    K extends
      | 'maxOutputTokens'
      | 'temperature'
      | 'topP'
      | 'topK'
      | 'presencePenalty'
      | 'frequencyPenalty'
      | 'seed',
  >(
    key: K,
    v: number | undefined,
  ) => {
    if (v !== undefined) ir[key] = v;
  };
  set('maxOutputTokens', optInteger(config, 'maxOutputTokens', p('maxOutputTokens')));
  set('temperature', optNumber(config, 'temperature', p('temperature')));
  set('topP', optNumber(config, 'topP', p('topP')));
  set('topK', optInteger(config, 'topK', p('topK')));
  set('presencePenalty', optNumber(config, 'presencePenalty', p('presencePenalty')));
  set('frequencyPenalty', optNumber(config, 'frequencyPenalty', p('frequencyPenalty')));
  set('seed', optInteger(config, 'seed', p('seed')));
  const candidates = optInteger(config, 'candidateCount', p('candidateCount'));
  if (candidates !== undefined && candidates > 1)
    throw unsupported(p('candidateCount'), 'only one candidate can be generated');
  if (optBoolean(config, 'responseLogprobs', p('responseLogprobs')))
    throw unsupported(p('responseLogprobs'), 'log probabilities are not available');
  const modalities = optArray(config, 'responseModalities', p('responseModalities')) ?? [];
  if (modalities.some((m) => String(m).toUpperCase() !== 'TEXT'))
    throw unsupported(p('responseModalities'), 'only text output is available');
  const mime = optString(config, 'responseMimeType', p('responseMimeType'));
  const schema = optRecord(config, 'responseJsonSchema') ?? toJsonSchema(optRecord(config, 'responseSchema'));
  if (mime === 'application/json') {
    ir.responseFormat = schema ? { type: 'json_schema', name: 'response', schema } : { type: 'json_object' };
  } else if (mime !== undefined && mime !== 'text/plain') {
    throw unsupported(p('responseMimeType'), `${mime} output cannot be translated`);
  }
  const reasoning = readThinking(camelKeys(optRecord(config, 'thinkingConfig', p('thinkingConfig')) ?? {}));
  if (reasoning) ir.reasoning = reasoning;
}

function readThinking(tc: JsonRecord): IRReasoning | undefined {
  const budget = optNumber(tc, 'thinkingBudget', 'generationConfig.thinkingConfig.thinkingBudget');
  const level = optString(
    tc,
    'thinkingLevel',
    'generationConfig.thinkingConfig.thinkingLevel',
  )?.toLowerCase();
  const r: IRReasoning = {};
  if (budget === -1) r.adaptive = true;
  else if (budget !== undefined) r.budgetTokens = Math.max(0, Math.floor(budget));
  if (level === 'minimal' || level === 'low' || level === 'medium' || level === 'high') r.effort = level;
  return Object.keys(r).length > 0 ? r : undefined;
}
