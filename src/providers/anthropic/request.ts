// Anthropic Messages requests → IR (a client calling `POST /v1/messages`). The reverse direction is
// in request-encode.ts.
//
// Documented defaults: `system`-role messages (API version 2026-10-21) are hoisted, in order, into
// the system prompt; text `citations` are dropped; `service_tier`, `speed`, `diagnostics`,
// top-level `cache_control` (automatic caching) and `context_management` (server-side context
// editing: the request is answered without it) are dropped; `thinking.display` is dropped;
// `thinking: {type: "disabled"}` means "model default"; `output_config.format` gets the schema name
// "response" (Anthropic schemas are unnamed); streams always report usage.
// Server tools: web search becomes the upstream's own search where it has one; any other server or
// Anthropic-defined tool (web fetch, code execution, bash, text editor…), and web search where the
// upstream has none, is left out and reported in `x-switchyard-dropped` (bridge/builtin-tools.ts).
// Refused: document, search-result, file-sourced image and server-tool blocks; forcing a server
// tool (`tool_choice` naming one, or `any` with only server tools); `thinking.type: "between_tools"`; `container`,
// `mcp_servers`, `inference_geo` and any other unknown field.
import type {
  IRAssistantPart,
  IRBuiltinTool,
  IRCacheHint,
  IRImagePart,
  IRMessage,
  IRReasoning,
  IRReasoningEffort,
  IRRequest,
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

const KNOWN = [
  'model',
  'messages',
  'max_tokens',
  'system',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'metadata',
  'output_config',
] as const;
const IGNORED = ['service_tier', 'speed', 'diagnostics', 'cache_control', 'context_management'] as const;

export function anthropicRequestToIR(input: unknown): IRRequest {
  const body = requireRecord(input, 'body');
  checkFields(body, KNOWN, IGNORED);
  const system = systemParts(body['system'], 'system');
  const ir: IRRequest = {
    model: requireString(body, 'model'),
    system,
    messages: readMessages(optArray(body, 'messages') ?? [], system),
    tools: [],
    stop: readStops(optArray(body, 'stop_sequences')),
    stream: optBoolean(body, 'stream') ?? false,
    streamUsage: true,
  };
  const max = optInteger(body, 'max_tokens');
  if (max !== undefined) ir.maxOutputTokens = max;
  const temperature = optNumber(body, 'temperature');
  if (temperature !== undefined) ir.temperature = temperature;
  const topP = optNumber(body, 'top_p');
  if (topP !== undefined) ir.topP = topP;
  const topK = optInteger(body, 'top_k');
  if (topK !== undefined) ir.topK = topK;
  const servers = readTools(optArray(body, 'tools') ?? [], ir);
  readToolChoice(optRecord(body, 'tool_choice'), ir);
  refuseForcedServerTool(ir, servers);
  const output = optRecord(body, 'output_config') ?? {};
  const reasoning = readReasoning(
    optRecord(body, 'thinking'),
    optString(output, 'effort', 'output_config.effort'),
  );
  if (reasoning) ir.reasoning = reasoning;
  const format = optRecord(output, 'format', 'output_config.format');
  if (format) {
    if (format['type'] !== 'json_schema') throw unsupported('output_config.format.type', 'only json_schema');
    ir.responseFormat = {
      type: 'json_schema',
      name: 'response',
      schema: optRecord(format, 'schema', 'output_config.format.schema') ?? {},
    };
  }
  const user = optString(optRecord(body, 'metadata') ?? {}, 'user_id', 'metadata.user_id');
  if (user !== undefined) ir.user = user;
  return ir;
}

function readStops(v: unknown[] | undefined): string[] {
  return (v ?? []).map((s, i) => {
    if (typeof s !== 'string') throw invalid(`stop_sequences[${i}]`, 'must be a string');
    return s;
  });
}

export function cacheHint(block: JsonRecord): { cache?: IRCacheHint } {
  const cc = block['cache_control'];
  if (!isRecord(cc)) return {};
  return { cache: cc['ttl'] === '5m' || cc['ttl'] === '1h' ? { ttl: cc['ttl'] } : {} };
}

function systemParts(v: unknown, param: string): IRTextPart[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v === '' ? [] : [{ type: 'text', text: v }];
  if (!Array.isArray(v)) throw invalid(param, 'must be a string or an array of text blocks');
  return v.map((b, i) => textBlock(requireRecord(b, `${param}[${i}]`), `${param}[${i}]`));
}

function textBlock(block: JsonRecord, at: string): IRTextPart {
  if (block['type'] !== 'text') throw unsupported(`${at}.type`, 'only text blocks are allowed here');
  return { type: 'text', text: requireString(block, 'text', `${at}.text`), ...cacheHint(block) };
}

function blocksOf(content: unknown, at: string): JsonRecord[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalid(at, 'must be a string or an array of content blocks');
  return content.map((b, j) => requireRecord(b, `${at}[${j}]`));
}

function readMessages(raw: unknown[], system: IRTextPart[]): IRMessage[] {
  const out: IRMessage[] = [];
  raw.forEach((m, i) => {
    const at = `messages[${i}]`;
    const msg = requireRecord(m, at);
    if (msg['role'] === 'system') {
      system.push(...systemParts(msg['content'], `${at}.content`));
      return;
    }
    const blocks = blocksOf(msg['content'], `${at}.content`);
    if (msg['role'] === 'assistant') {
      out.push({
        role: 'assistant',
        content: blocks.flatMap((b, j) =>
          // A web search the provider ran: its findings are already in the text that follows.
          WEB_SEARCH_BLOCKS.includes(String(b['type'])) ? [] : [assistantPart(b, `${at}.content[${j}]`)],
        ),
      });
      return;
    }
    if (msg['role'] !== 'user') throw invalid(`${at}.role`, 'must be user, assistant or system');
    // Tool results travel in user turns here; the IR gives them their own turn, placed first as the
    // API requires them to come first.
    const results: IRToolResultPart[] = [];
    const parts: IRUserPart[] = [];
    blocks.forEach((b, j) => {
      const bat = `${at}.content[${j}]`;
      if (b['type'] === 'tool_result') results.push(toolResult(b, bat));
      else parts.push(userPart(b, bat));
    });
    if (results.length > 0) out.push({ role: 'tool', content: results });
    if (parts.length > 0 || results.length === 0) out.push({ role: 'user', content: parts });
  });
  return out;
}

function userPart(b: JsonRecord, at: string): IRUserPart {
  if (b['type'] === 'text') return textBlock(b, at);
  if (b['type'] === 'image') return imageBlock(b, at);
  throw unsupported(`${at}.type`, `${JSON.stringify(b['type'])} blocks cannot be translated`);
}

function imageBlock(b: JsonRecord, at: string): IRImagePart {
  const src = requireRecord(b['source'], `${at}.source`);
  if (src['type'] === 'base64') {
    return {
      type: 'image',
      source: {
        kind: 'base64',
        mediaType: requireString(src, 'media_type', `${at}.source.media_type`),
        data: requireString(src, 'data', `${at}.source.data`),
      },
      ...cacheHint(b),
    };
  }
  if (src['type'] === 'url') {
    return {
      type: 'image',
      source: { kind: 'url', url: requireString(src, 'url', `${at}.source.url`) },
      ...cacheHint(b),
    };
  }
  throw unsupported(`${at}.source.type`, 'only base64 and url image sources can be translated');
}

function toolResult(b: JsonRecord, at: string): IRToolResultPart {
  const content =
    b['content'] === undefined || b['content'] === null
      ? []
      : blocksOf(b['content'], `${at}.content`).map((c, k) => userPart(c, `${at}.content[${k}]`));
  return {
    type: 'tool_result',
    toolCallId: requireString(b, 'tool_use_id', `${at}.tool_use_id`),
    content,
    isError: optBoolean(b, 'is_error', `${at}.is_error`) ?? false,
    ...cacheHint(b),
  };
}

const WEB_SEARCH_BLOCKS = ['server_tool_use', 'web_search_tool_result'];

function assistantPart(b: JsonRecord, at: string): IRAssistantPart {
  switch (b['type']) {
    case 'text':
      return { type: 'text', text: requireString(b, 'text', `${at}.text`) };
    case 'thinking': {
      const signature = optString(b, 'signature', `${at}.signature`);
      return {
        type: 'thinking',
        text: requireString(b, 'thinking', `${at}.thinking`),
        ...(signature ? { signature } : {}),
      };
    }
    case 'redacted_thinking':
      return { type: 'thinking', text: '', redactedData: requireString(b, 'data', `${at}.data`) };
    case 'tool_use':
      return {
        type: 'tool_call',
        id: requireString(b, 'id', `${at}.id`),
        name: requireString(b, 'name', `${at}.name`),
        arguments: JSON.stringify(b['input'] ?? {}),
      };
    default:
      throw unsupported(`${at}.type`, `${JSON.stringify(b['type'])} blocks cannot be translated`);
  }
}

/**
 * Custom tools into `ir.tools`; the web search server tool into `ir.builtinTools` (the upstream
 * maps it to its own search); any other server or Anthropic-defined tool (web fetch, code
 * execution, bash, text editor…) into `ir.dropped`, since no other provider runs it. Returns the
 * names of the server tools, so forcing one can be refused.
 */
function readTools(tools: unknown[], ir: IRRequest): string[] {
  const servers: string[] = [];
  tools.forEach((t, i) => {
    const at = `tools[${i}]`;
    const tool = requireRecord(t, at);
    if (tool['type'] === undefined || tool['type'] === null || tool['type'] === 'custom') {
      ir.tools.push(readTool(tool, at));
      return;
    }
    const type = String(tool['type']);
    servers.push(optString(tool, 'name', `${at}.name`) ?? type);
    if (type.startsWith('web_search_')) {
      const search: IRBuiltinTool = { kind: 'web_search', param: at };
      const maxUses = optInteger(tool, 'max_uses', `${at}.max_uses`);
      if (maxUses !== undefined) search.maxUses = maxUses;
      const domains = optArray(tool, 'allowed_domains', `${at}.allowed_domains`);
      if (domains) search.allowedDomains = domains.filter((d): d is string => typeof d === 'string');
      const loc = optRecord(tool, 'user_location', `${at}.user_location`);
      if (loc) {
        const where: NonNullable<IRBuiltinTool['userLocation']> = {};
        for (const k of ['city', 'region', 'country', 'timezone'] as const) {
          const v = optString(loc, k, `${at}.user_location.${k}`);
          if (v) where[k] = v;
        }
        search.userLocation = where;
      }
      ir.builtinTools = [...(ir.builtinTools ?? []), search];
    } else ir.dropped = [...(ir.dropped ?? []), `${at} (${type})`];
  });
  return servers;
}

/** Forcing a server tool the upstream may lack would change the answer: refused, never dropped. */
function refuseForcedServerTool(ir: IRRequest, servers: string[]): void {
  const choice = ir.toolChoice;
  if (typeof choice === 'object' && servers.includes(choice.name))
    throw unsupported('tool_choice.name', 'forcing a server tool cannot be translated for this model');
  if (choice === 'required' && ir.tools.length === 0 && servers.length > 0)
    throw unsupported('tool_choice.type', '"any" with only server tools cannot be translated for this model');
}

function readTool(tool: JsonRecord, at: string): IRTool {
  const out: IRTool = {
    name: requireString(tool, 'name', `${at}.name`),
    parameters: optRecord(tool, 'input_schema', `${at}.input_schema`) ?? { type: 'object', properties: {} },
    ...cacheHint(tool),
  };
  const description = optString(tool, 'description', `${at}.description`);
  if (description !== undefined) out.description = description;
  const strict = optBoolean(tool, 'strict', `${at}.strict`);
  if (strict !== undefined) out.strict = strict;
  return out;
}

function readToolChoice(tc: JsonRecord | undefined, ir: IRRequest): void {
  if (!tc) return;
  let choice: IRToolChoice;
  if (tc['type'] === 'auto') choice = 'auto';
  else if (tc['type'] === 'any') choice = 'required';
  else if (tc['type'] === 'none') choice = 'none';
  else if (tc['type'] === 'tool') choice = { name: requireString(tc, 'name', 'tool_choice.name') };
  else throw invalid('tool_choice.type', 'must be auto, any, tool or none');
  ir.toolChoice = choice;
  if (optBoolean(tc, 'disable_parallel_tool_use', 'tool_choice.disable_parallel_tool_use') === true) {
    ir.parallelToolCalls = false;
  }
}

const EFFORTS: readonly string[] = ['low', 'medium', 'high', 'xhigh', 'max'];

function readReasoning(
  thinking: JsonRecord | undefined,
  effort: string | undefined,
): IRReasoning | undefined {
  if (effort !== undefined && !EFFORTS.includes(effort))
    throw invalid('output_config.effort', 'unknown value');
  const e = effort as IRReasoningEffort | undefined;
  const withEffort = (r: IRReasoning): IRReasoning => (e ? { ...r, effort: e } : r);
  if (!thinking || thinking['type'] === 'disabled') return e ? { effort: e } : undefined;
  if (thinking['type'] === 'enabled') {
    const budget = optInteger(thinking, 'budget_tokens', 'thinking.budget_tokens');
    if (budget === undefined) throw invalid('thinking.budget_tokens', 'is required');
    return withEffort({ budgetTokens: budget });
  }
  if (thinking['type'] === 'adaptive') return withEffort({ adaptive: true });
  throw unsupported('thinking.type', `${JSON.stringify(thinking['type'])} thinking cannot be translated`);
}
