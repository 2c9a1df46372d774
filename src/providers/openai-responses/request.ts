// OpenAI Responses requests → IR (a client such as Codex calling `POST /v1/responses` for a model
// served through another protocol). The reverse direction is in request-encode.ts.
//
// Documented defaults: `system`/`developer` messages are hoisted, in order, after `instructions`
// into the system prompt; `store` is read by the response store (src/proxy/stored-responses.ts),
// which also inlines stored `previous_response_id` chains and item references before this runs;
// `include: ["reasoning.encrypted_content"]` is honoured (reasoning signatures are always
// returned as encrypted_content); `client_metadata`, `reasoning.summary`, `text.verbosity`,
// `service_tier`, `prompt_cache_key`, `prompt_cache_retention`, `prompt_cache_options` and
// `stream_options.include_obfuscation` are dropped; `truncation: "disabled"`, `background: false`
// and `top_logprobs: 0` are accepted as the defaults they are; image `detail: "auto"` is the
// default and not kept; a reasoning item's summary texts (else its reasoning_text) become the
// reasoning text, joined by a blank line; `safety_identifier` is read as the end-user id when
// `user` is absent; usage is always reported.
// Tools: namespaces are flattened (`<namespace>__<name>`, toolAliases maps calls back); custom
// (free-form) tools become a function with one string argument `input`; web search becomes a
// built-in the upstream maps to its own search; other built-ins (file search, local shell,
// computer use…) are left out and reported (bridge/builtin-tools.ts). `web_search_call` items in
// the history are skipped (their findings are in the text after them).
// Refused: `previous_response_id` and item references the gateway's store does not hold,
// `conversation` and `prompt` (state kept by OpenAI), forcing a built-in tool or `allowed_tools`,
// `file_id` images, file inputs, other `include` values, `background: true`,
// `truncation: "auto"`, `top_logprobs`, `max_tool_calls` and any other unknown field.
import type {
  IRAssistantPart,
  IRBuiltinTool,
  IRMessage,
  IRRequest,
  IRTextPart,
  IRTool,
  IRToolAlias,
  IRToolChoice,
  IRToolResultPart,
  IRUserPart,
} from '../../bridge/ir';
import {
  checkFields,
  invalid,
  type JsonRecord,
  optArray,
  optBoolean,
  optInteger,
  optNumber,
  optRecord,
  optString,
  requireRecord,
  requireString,
  str,
  unsupported,
} from '../../bridge/read';
import { readResponseFormat } from '../openai/request';
import { appendToolResult, readUserAndMetadata } from '../openai/request-common';

const KNOWN = [
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_output_tokens',
  'temperature',
  'top_p',
  'text',
  'reasoning',
  'stream',
  'user',
  'safety_identifier',
  'metadata',
  'include',
  'truncation',
  'background',
  'top_logprobs',
  'previous_response_id',
] as const;
const IGNORED = [
  'store',
  // Identifies the client, session or turn (Codex): nothing the upstream answers differently for.
  'client_metadata',
  'service_tier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'prompt_cache_options',
  'stream_options',
] as const;
const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
/** Marks an encrypted_content that carries redacted reasoning rather than a signature. */
export const REDACTED_PREFIX = 'redacted:';

export function responsesRequestToIR(input: unknown): IRRequest {
  const body = requireRecord(input, 'body');
  checkFields(body, KNOWN, IGNORED);
  refuseDefaultsOnly(body);
  const instructions = optString(body, 'instructions');
  const system: IRTextPart[] = instructions ? [{ type: 'text', text: instructions }] : [];
  const raw = body['input'];
  const items = typeof raw === 'string' ? [{ role: 'user', content: raw }] : (optArray(body, 'input') ?? []);
  const ir: IRRequest = {
    model: requireString(body, 'model'),
    system,
    messages: [],
    tools: [],
    stop: [],
    stream: optBoolean(body, 'stream') ?? false,
    streamUsage: true,
  };
  readTools(optArray(body, 'tools') ?? [], ir);
  ir.messages = readItems(items, system, ir.toolAliases ?? {});
  const choice = readToolChoice(body['tool_choice']);
  if (choice !== undefined) ir.toolChoice = choice;
  const parallel = optBoolean(body, 'parallel_tool_calls');
  if (parallel !== undefined) ir.parallelToolCalls = parallel;
  const max = optInteger(body, 'max_output_tokens');
  if (max !== undefined) ir.maxOutputTokens = max;
  const temperature = optNumber(body, 'temperature');
  if (temperature !== undefined) ir.temperature = temperature;
  const topP = optNumber(body, 'top_p');
  if (topP !== undefined) ir.topP = topP;
  const format = readFormat(optRecord(body, 'text'));
  if (format) ir.responseFormat = format;
  const effort = optString(optRecord(body, 'reasoning') ?? {}, 'effort', 'reasoning.effort');
  if (effort !== undefined) {
    if (!(EFFORTS as readonly string[]).includes(effort)) throw invalid('reasoning.effort', 'unknown value');
    ir.reasoning = { effort: effort as (typeof EFFORTS)[number] };
  }
  readUserAndMetadata(body, ir);
  return ir;
}

function refuseDefaultsOnly(body: JsonRecord): void {
  // The gateway's store inlines its own ids before this (src/proxy/stored-responses.ts); any other
  // id belongs to a provider that keeps its own state, which this model's provider cannot read.
  const previous = optString(body, 'previous_response_id');
  if (previous !== undefined)
    throw unsupported(
      'previous_response_id',
      `response "${previous}" is not in the gateway's response store (expired, another account's, or kept by another provider)`,
    );
  for (const v of optArray(body, 'include') ?? []) {
    if (v !== 'reasoning.encrypted_content')
      throw unsupported('include', `${JSON.stringify(v)} cannot be provided`);
  }
  const truncation = optString(body, 'truncation');
  if (truncation !== undefined && truncation !== 'disabled')
    throw unsupported('truncation', 'only "disabled"');
  if (optBoolean(body, 'background') === true)
    throw unsupported('background', 'background responses need a response store');
  if ((optInteger(body, 'top_logprobs') ?? 0) > 0)
    throw unsupported('top_logprobs', 'log probabilities are not available');
}

function readFormat(text: JsonRecord | undefined): IRRequest['responseFormat'] {
  const format = optRecord(text ?? {}, 'format', 'text.format');
  if (!format) return undefined;
  // The Responses format is the chat one with the json_schema fields lifted up a level.
  const chatShape = format['type'] === 'json_schema' ? { type: 'json_schema', json_schema: format } : format;
  return readResponseFormat(chatShape, 'text.format');
}

type AssistantMessage = Extract<IRMessage, { role: 'assistant' }>;

/** The IR name of a tool inside a namespace: unique, and valid in every provider's tool names. */
export const namespacedName = (namespace: string, name: string): string => `${namespace}__${name}`;

/** Item types that record a server tool's work: nothing to carry to another provider's history. */
const SERVER_TOOL_ITEMS = ['web_search_call'];

function readItems(
  items: unknown[],
  system: IRTextPart[],
  aliases: Record<string, IRToolAlias>,
): IRMessage[] {
  const out: IRMessage[] = [];
  const assistant = (): AssistantMessage => {
    const last = out[out.length - 1];
    if (last?.role === 'assistant') return last;
    const m: AssistantMessage = { role: 'assistant', content: [] };
    out.push(m);
    return m;
  };
  items.forEach((raw, i) => {
    const at = `input[${i}]`;
    const item = requireRecord(raw, at);
    const type = item['type'] ?? 'message';
    if (type === 'message') {
      const role = item['role'];
      if (role === 'system' || role === 'developer')
        system.push(...textParts(item['content'], `${at}.content`));
      else if (role === 'user')
        out.push({ role: 'user', content: userParts(item['content'], `${at}.content`) });
      else if (role === 'assistant') assistant().content.push(...textParts(item['content'], `${at}.content`));
      else throw invalid(`${at}.role`, 'must be user, assistant, system or developer');
    } else if (type === 'function_call') {
      const name = requireString(item, 'name', `${at}.name`);
      const namespace = optString(item, 'namespace', `${at}.namespace`);
      assistant().content.push({
        type: 'tool_call',
        id: requireString(item, 'call_id', `${at}.call_id`),
        name: namespace ? namespacedName(namespace, name) : name,
        arguments: optString(item, 'arguments', `${at}.arguments`) ?? '',
      });
    } else if (type === 'custom_tool_call') {
      const name = requireString(item, 'name', `${at}.name`);
      const namespace = optString(item, 'namespace', `${at}.namespace`);
      const flat = namespace ? namespacedName(namespace, name) : name;
      aliases[flat] ??= { name, ...(namespace ? { namespace } : {}), freeform: true };
      assistant().content.push({
        type: 'tool_call',
        id: requireString(item, 'call_id', `${at}.call_id`),
        name: flat,
        arguments: JSON.stringify({ input: optString(item, 'input', `${at}.input`) ?? '' }),
      });
    } else if (SERVER_TOOL_ITEMS.includes(String(type))) {
      // The provider that ran it already put what it found into the answer text that follows.
    } else if (type === 'reasoning') {
      assistant().content.push(reasoningItem(item));
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      const result: IRToolResultPart = {
        type: 'tool_result',
        toolCallId: requireString(item, 'call_id', `${at}.call_id`),
        content: userParts(item['output'], `${at}.output`),
        isError: false,
      };
      appendToolResult(out, result);
    } else if (type === 'item_reference') {
      throw unsupported(
        `${at}.id`,
        "this item is not in the gateway's response store (expired, never stored, or another account's)",
      );
    } else {
      throw unsupported(`${at}.type`, `${JSON.stringify(type)} items cannot be translated`);
    }
  });
  return out;
}

/** A reasoning item back as IR reasoning: summary (or reasoning text) and its encrypted content. */
export function reasoningItem(item: JsonRecord): IRAssistantPart {
  const texts = (key: string) =>
    (Array.isArray(item[key]) ? (item[key] as unknown[]) : []).flatMap((s) => {
      const t = str(requireRecord(s, `reasoning.${key}`)['text']);
      return t === undefined ? [] : [t];
    });
  const summary = texts('summary');
  const text = (summary.length > 0 ? summary : texts('content')).join('\n\n');
  const enc = str(item['encrypted_content']);
  if (enc?.startsWith(REDACTED_PREFIX))
    return { type: 'thinking', text: '', redactedData: enc.slice(REDACTED_PREFIX.length) };
  return { type: 'thinking', text, ...(enc ? { signature: enc } : {}) };
}

function textParts(content: unknown, at: string): IRTextPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalid(at, 'must be a string or an array of parts');
  return content.map((p, j) => {
    const part = requireRecord(p, `${at}[${j}]`);
    if (part['type'] === 'input_text' || part['type'] === 'output_text') {
      return { type: 'text', text: requireString(part, 'text', `${at}[${j}].text`) };
    }
    if (part['type'] === 'refusal')
      return { type: 'text', text: requireString(part, 'refusal', `${at}[${j}].refusal`) };
    throw unsupported(`${at}[${j}].type`, 'only text parts are allowed here');
  });
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function userParts(content: unknown, at: string): IRUserPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalid(at, 'must be a string or an array of parts');
  return content.map((p, j): IRUserPart => {
    const pat = `${at}[${j}]`;
    const part = requireRecord(p, pat);
    if (part['type'] === 'input_text' || part['type'] === 'output_text') {
      return { type: 'text', text: requireString(part, 'text', `${pat}.text`) };
    }
    if (part['type'] !== 'input_image')
      throw unsupported(`${pat}.type`, `${JSON.stringify(part['type'])} parts cannot be translated`);
    if (part['file_id']) throw unsupported(`${pat}.file_id`, 'uploaded files cannot be translated');
    const url = requireString(part, 'image_url', `${pat}.image_url`);
    const data = DATA_URL.exec(url);
    const image: IRUserPart = {
      type: 'image',
      source:
        data?.[1] && data[2] !== undefined
          ? { kind: 'base64', mediaType: data[1], data: data[2] }
          : { kind: 'url', url },
    };
    if (part['detail'] === 'low' || part['detail'] === 'high') image.detail = part['detail'];
    return image;
  });
}

/** Built-in (server) tools the bridge can ask another provider to run. */
const WEB_SEARCH_TYPES = [
  'web_search',
  'web_search_preview',
  'web_search_2025_08_26',
  'web_search_preview_2025_03_11',
];

/**
 * Function tools as they are; namespaces flattened (`<namespace>__<name>`); free-form (custom)
 * tools as a function taking one string, `input`; web search as a built-in for the upstream to map;
 * any other built-in (file search, local shell, computer use…) left out and reported, since no
 * other provider can run it — a request that forces one is refused in readToolChoice.
 */
function readTools(tools: unknown[], ir: IRRequest): void {
  const aliases: Record<string, IRToolAlias> = {};
  const builtins: IRBuiltinTool[] = [];
  const dropped: string[] = [];
  tools.forEach((t, i) => {
    const at = `tools[${i}]`;
    const tool = requireRecord(t, at);
    if (tool['type'] === 'function') ir.tools.push(functionTool(tool, at));
    else if (tool['type'] === 'custom') {
      const custom = customTool(tool, at);
      aliases[custom.name] = { name: custom.name, freeform: true };
      ir.tools.push(custom);
    } else if (tool['type'] === 'namespace') {
      const namespace = requireString(tool, 'name', `${at}.name`);
      (optArray(tool, 'tools', `${at}.tools`) ?? []).forEach((inner, j) => {
        const iat = `${at}.tools[${j}]`;
        const member = requireRecord(inner, iat);
        const freeform = member['type'] === 'custom';
        const t2 = freeform ? customTool(member, iat) : functionTool(member, iat);
        const flat = namespacedName(namespace, t2.name);
        aliases[flat] = { name: t2.name, namespace, ...(freeform ? { freeform } : {}) };
        ir.tools.push({ ...t2, name: flat });
      });
    } else if (WEB_SEARCH_TYPES.includes(String(tool['type']))) builtins.push(webSearch(tool, at));
    else dropped.push(`${at} (${String(tool['type'])})`);
  });
  if (Object.keys(aliases).length > 0) ir.toolAliases = aliases;
  if (builtins.length > 0) ir.builtinTools = builtins;
  if (dropped.length > 0) ir.dropped = dropped;
}

function functionTool(tool: JsonRecord, at: string): IRTool {
  if (tool['type'] !== 'function')
    throw unsupported(`${at}.type`, `${JSON.stringify(tool['type'])} tools cannot be translated`);
  const out: IRTool = {
    name: requireString(tool, 'name', `${at}.name`),
    parameters: optRecord(tool, 'parameters', `${at}.parameters`) ?? { type: 'object', properties: {} },
  };
  const description = optString(tool, 'description', `${at}.description`);
  if (description !== undefined) out.description = description;
  const strict = optBoolean(tool, 'strict', `${at}.strict`);
  if (strict !== undefined) out.strict = strict;
  return out;
}

/** A free-form tool: the model writes raw text (its grammar, if any, is given to it as guidance). */
function customTool(tool: JsonRecord, at: string): IRTool {
  const name = requireString(tool, 'name', `${at}.name`);
  const format = optRecord(tool, 'format', `${at}.format`);
  const grammar = format?.['type'] === 'grammar' ? str(format['definition']) : undefined;
  const syntax = str(format?.['syntax']) ?? 'grammar';
  const description = optString(tool, 'description', `${at}.description`) ?? '';
  return {
    name,
    description: grammar
      ? `${description}\n\nThe input must follow this ${syntax} grammar:\n${grammar}`
      : description,
    parameters: {
      type: 'object',
      properties: { input: { type: 'string', description: 'The raw input for the tool.' } },
      required: ['input'],
    },
  };
}

function webSearch(tool: JsonRecord, at: string): IRBuiltinTool {
  const out: IRBuiltinTool = { kind: 'web_search', param: at };
  const domains = optArray(optRecord(tool, 'filters', `${at}.filters`) ?? {}, 'allowed_domains');
  if (domains && domains.length > 0)
    out.allowedDomains = domains.filter((d): d is string => typeof d === 'string');
  const loc = optRecord(tool, 'user_location', `${at}.user_location`);
  if (loc) {
    const where: NonNullable<IRBuiltinTool['userLocation']> = {};
    for (const k of ['city', 'region', 'country', 'timezone'] as const) {
      const v = str(loc[k]);
      if (v) where[k] = v;
    }
    out.userLocation = where;
  }
  return out;
}

function readToolChoice(v: unknown): IRToolChoice | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 'auto' || v === 'none' || v === 'required') return v;
  const choice = requireRecord(v, 'tool_choice');
  if (choice['type'] === 'function' || choice['type'] === 'custom') {
    const name = requireString(choice, 'name', 'tool_choice.name');
    const namespace = optString(choice, 'namespace', 'tool_choice.namespace');
    return { name: namespace ? namespacedName(namespace, name) : name };
  }
  // Forcing a built-in (or choosing among allowed tools) the upstream may not honour would change
  // the answer: refused, never dropped.
  throw unsupported(
    'tool_choice',
    `${JSON.stringify(choice['type'])} tool choices cannot be translated for this model; use "auto" or "required"`,
  );
}
