// Anthropic Messages responses ↔ IR, usage and stop reasons.
//
// Usage: Anthropic's `input_tokens` EXCLUDES cache reads and writes, which are reported beside it,
// so promptTokens = input + cache_read + cache_creation (usage/types.ts counts every input token).
// Thinking is part of `output_tokens`; `output_tokens_details.thinking_tokens`, when present, gives
// the reasoning share.
// Documented defaults: text `citations` and server-tool blocks in a response are dropped (server
// tools are never requested through the bridge); `pause_turn` becomes end_turn, `refusal`
// content_filter and `model_context_window_exceeded` max_tokens; on the client side, stop reason
// "error" becomes end_turn (stream errors are sent as error events), reasoning without a signature
// gets an empty signature, and malformed tool arguments become `{}` (the API's `input` is an object).
import type { EncodeContext } from '../../bridge/adapter';
import type {
  IRAnswerPart,
  IRAssistantPart,
  IRResponse,
  IRStopReason,
  IRWebSearchPart,
} from '../../bridge/ir';
import { count, type JsonRecord, list, parseArgumentsLenient, rec, str } from '../../bridge/read';
import type { TokenUsage } from '../../usage/types';

export function anthropicUsageToIR(u: unknown): TokenUsage {
  const usage = rec(u);
  const cacheRead = count(usage['cache_read_input_tokens']);
  const cacheWrite = count(usage['cache_creation_input_tokens']);
  return {
    promptTokens: count(usage['input_tokens']) + cacheRead + cacheWrite,
    completionTokens: count(usage['output_tokens']),
    cachedReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: count(rec(usage['output_tokens_details'])['thinking_tokens']),
  };
}

/** Server-side web searches the answer made (`usage.server_tool_use.web_search_requests`). */
export function anthropicUnits(u: unknown): { webSearchCalls: number } {
  return { webSearchCalls: count(rec(rec(u)['server_tool_use'])['web_search_requests']) };
}

export function anthropicUsageFromIR(u: TokenUsage): JsonRecord {
  return {
    input_tokens: Math.max(0, u.promptTokens - u.cachedReadTokens - u.cacheWriteTokens),
    cache_creation_input_tokens: u.cacheWriteTokens,
    cache_read_input_tokens: u.cachedReadTokens,
    output_tokens: u.completionTokens,
    ...(u.reasoningTokens > 0 ? { output_tokens_details: { thinking_tokens: u.reasoningTokens } } : {}),
  };
}

export function stopReasonToIR(reason: unknown): IRStopReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'tool_use':
      return 'tool_use';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'refusal':
      return 'content_filter';
    default:
      return 'end_turn';
  }
}

export function stopReasonFromIR(reason: IRStopReason): string {
  switch (reason) {
    case 'max_tokens':
    case 'tool_use':
    case 'stop_sequence':
      return reason;
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

function blockToIR(b: JsonRecord): IRAssistantPart | undefined {
  switch (b['type']) {
    case 'text':
      return { type: 'text', text: str(b['text']) ?? '' };
    case 'thinking': {
      const signature = str(b['signature']);
      return { type: 'thinking', text: str(b['thinking']) ?? '', ...(signature ? { signature } : {}) };
    }
    case 'redacted_thinking':
      return { type: 'thinking', text: '', redactedData: str(b['data']) ?? '' };
    case 'tool_use':
      return {
        type: 'tool_call',
        id: str(b['id']) ?? '',
        name: str(b['name']) ?? '',
        arguments: JSON.stringify(b['input'] ?? {}),
      };
    default:
      return undefined;
  }
}

/** The query of a `server_tool_use` block of the web search tool, or undefined for any other block. */
export function webSearchQuery(b: JsonRecord): string | undefined {
  if (b['type'] !== 'server_tool_use' || b['name'] !== 'web_search') return undefined;
  return str(rec(b['input'])['query']) ?? '';
}

/** The sources of a `web_search_tool_result` block (an error result has none). */
export function webSearchSources(b: JsonRecord): IRWebSearchPart['sources'] {
  return list(b['content']).flatMap((r) => {
    const result = rec(r);
    const url = str(result['url']);
    if (result['type'] !== 'web_search_result' || !url) return [];
    const title = str(result['title']);
    return [{ url, ...(title ? { title } : {}) }];
  });
}

/** Blocks → IR parts; a web search call and its result block become one web-search part. */
function contentToIR(blocks: unknown[]): IRAnswerPart[] {
  const out: IRAnswerPart[] = [];
  const searches = new Map<string, IRWebSearchPart>();
  for (const raw of blocks) {
    const b = rec(raw);
    const query = webSearchQuery(b);
    if (query !== undefined) {
      const part: IRWebSearchPart = { type: 'web_search', id: str(b['id']) ?? '', query, sources: [] };
      searches.set(part.id, part);
      out.push(part);
    } else if (b['type'] === 'web_search_tool_result') {
      const part = searches.get(str(b['tool_use_id']) ?? '');
      if (part) part.sources = webSearchSources(b);
    } else {
      const part = blockToIR(b);
      if (part) out.push(part);
    }
  }
  return out;
}

/** A web search as Anthropic writes it: the server tool call, then its result. */
export function webSearchBlocks(p: IRWebSearchPart): [JsonRecord, JsonRecord] {
  return [
    { type: 'server_tool_use', id: p.id, name: 'web_search', input: { query: p.query } },
    {
      type: 'web_search_tool_result',
      tool_use_id: p.id,
      content: p.sources.map((s) => ({
        type: 'web_search_result',
        url: s.url,
        title: s.title ?? s.url,
        encrypted_content: '',
        page_age: null,
      })),
    },
  ];
}

export function anthropicResponseToIR(input: unknown): IRResponse {
  const body = rec(input);
  const res: IRResponse = {
    id: str(body['id']) ?? '',
    model: str(body['model']) ?? '',
    content: contentToIR(list(body['content'])),
    stopReason: stopReasonToIR(body['stop_reason']),
    usage: anthropicUsageToIR(body['usage']),
  };
  const seq = str(body['stop_sequence']);
  if (seq !== undefined) res.stopSequence = seq;
  return res;
}

export function blockFromIR(p: IRAssistantPart): JsonRecord {
  if (p.type === 'text') return { type: 'text', text: p.text };
  if (p.type === 'tool_call') {
    return { type: 'tool_use', id: p.id, name: p.name, input: parseArgumentsLenient(p.arguments) };
  }
  if (p.redactedData !== undefined) return { type: 'redacted_thinking', data: p.redactedData };
  return { type: 'thinking', thinking: p.text, signature: p.signature ?? '' };
}

export function anthropicResponseFromIR(res: IRResponse, _ctx: EncodeContext): JsonRecord {
  return {
    id: res.id,
    type: 'message',
    role: 'assistant',
    model: res.model,
    content: res.content.flatMap((p) => (p.type === 'web_search' ? webSearchBlocks(p) : [blockFromIR(p)])),
    stop_reason: stopReasonFromIR(res.stopReason),
    stop_sequence: res.stopSequence ?? null,
    usage: anthropicUsageFromIR(res.usage),
  };
}
