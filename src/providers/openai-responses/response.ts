// OpenAI Responses response objects ↔ IR, usage and status.
//
// Output items map one to one onto IR parts: reasoning → thinking (summary text; encrypted_content
// carries the signature, or `redacted:<data>` for redacted reasoning), message → text (one item per
// text part), function_call → tool call (the IR id is `call_id`). Item ids on the client side are
// derived from the part index (`rs_<i>`, `msg_<i>`, `fc_<i>`), so streamed and whole responses agree.
// Documented defaults: status completed means tool_use when function calls were made, else
// end_turn; incomplete max_output_tokens → max_tokens, content_filter → content_filter; failed →
// error; a refusal becomes text with content_filter; reasoning items with neither text nor
// encrypted content are dropped; on the client side stop_sequence reports as completed, and the
// response echoes no request parameters (instructions, tools…) since only the answer is known here.
import type { EncodeContext } from '../../bridge/adapter';
import type {
  IRAnswerPart,
  IRAssistantPart,
  IRRequest,
  IRResponse,
  IRStopReason,
  IRToolAlias,
} from '../../bridge/ir';
import { count, isRecord, type JsonRecord, list, rec, str } from '../../bridge/read';
import type { GatewayError } from '../../errors/gateway-error';
import type { TokenUsage } from '../../usage/types';
import { REDACTED_PREFIX, reasoningItem } from './request';

export function responsesUsageToIR(u: unknown): TokenUsage {
  const usage = rec(u);
  const input = rec(usage['input_tokens_details']);
  return {
    promptTokens: count(usage['input_tokens']),
    completionTokens: count(usage['output_tokens']),
    cachedReadTokens: count(input['cached_tokens']),
    cacheWriteTokens: count(input['cache_write_tokens']),
    reasoningTokens: count(rec(usage['output_tokens_details'])['reasoning_tokens']),
  };
}

export function responsesUsageFromIR(u: TokenUsage): JsonRecord {
  return {
    input_tokens: u.promptTokens,
    input_tokens_details: {
      cached_tokens: u.cachedReadTokens,
      ...(u.cacheWriteTokens > 0 ? { cache_write_tokens: u.cacheWriteTokens } : {}),
    },
    output_tokens: u.completionTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens },
    total_tokens: u.promptTokens + u.completionTokens,
  };
}

export function statusToIR(status: unknown, incompleteReason: unknown, sawToolCall: boolean): IRStopReason {
  if (status === 'incomplete') return incompleteReason === 'content_filter' ? 'content_filter' : 'max_tokens';
  if (status === 'failed' || status === 'cancelled') return 'error';
  return sawToolCall ? 'tool_use' : 'end_turn';
}

/** One output item → IR parts (a message item may hold several text parts). */
export function itemToIR(item: JsonRecord): { parts: IRAssistantPart[]; refused: boolean } {
  if (item['type'] === 'reasoning') {
    const part = reasoningItem(item);
    const empty =
      part.type === 'thinking' && part.text === '' && !part.signature && part.redactedData === undefined;
    return { parts: empty ? [] : [part], refused: false };
  }
  if (item['type'] === 'function_call') {
    const call: IRAssistantPart = {
      type: 'tool_call',
      id: str(item['call_id']) ?? '',
      name: str(item['name']) ?? '',
      arguments: str(item['arguments']) ?? '',
    };
    return { parts: [call], refused: false };
  }
  if (item['type'] !== 'message') return { parts: [], refused: false };
  let refused = false;
  const parts = list(item['content']).flatMap((c): IRAssistantPart[] => {
    const content = rec(c);
    if (content['type'] === 'refusal') refused = true;
    const text = str(content['text']) ?? str(content['refusal']);
    return text === undefined ? [] : [{ type: 'text', text }];
  });
  return { parts, refused };
}

export function responsesResponseToIR(input: unknown): IRResponse {
  const body = rec(input);
  const content: IRAssistantPart[] = [];
  let refused = false;
  for (const item of list(body['output'])) {
    const r = itemToIR(rec(item));
    content.push(...r.parts);
    refused ||= r.refused;
  }
  const sawToolCall = content.some((p) => p.type === 'tool_call');
  return {
    id: str(body['id']) ?? '',
    model: str(body['model']) ?? '',
    content,
    stopReason: refused
      ? 'content_filter'
      : statusToIR(body['status'], rec(body['incomplete_details'])['reason'], sawToolCall),
    usage: responsesUsageToIR(body['usage']),
  };
}

/** How IR parts become client items: the tool names the client declared, and stable item ids. */
export interface ItemNaming {
  aliases: Record<string, IRToolAlias>;
  /** Set for stored responses: item ids then embed it, so an `item_reference` finds its response. */
  responseId?: string;
}

export const namingOf = (ctx: { request?: IRRequest; responseId?: string }): ItemNaming => ({
  aliases: ctx.request?.toolAliases ?? {},
  ...(ctx.responseId ? { responseId: ctx.responseId } : {}),
});

/** `msg_3`, or `msg_<response id>_3` for a stored response (see state.ts). */
export function itemId(prefix: string, index: number, naming?: ItemNaming): string {
  return naming?.responseId
    ? `${prefix}_${naming.responseId.replace(/^resp_/, '')}_${index}`
    : `${prefix}_${index}`;
}

/** The input of a free-form tool call from the one-string-argument function the IR carried. */
export function freeformInput(args: string): string {
  try {
    const v = JSON.parse(args) as unknown;
    if (isRecord(v) && typeof v['input'] === 'string') return v['input'];
  } catch {
    // The model wrote raw text instead of the JSON object: that text is the input.
  }
  return args;
}

/** The output item of IR part `index` (complete, as in response.output_item.done). */
export function itemFromIR(p: IRAnswerPart, index: number, naming?: ItemNaming): JsonRecord {
  if (p.type === 'web_search') {
    return {
      id: itemId('ws', index, naming),
      type: 'web_search_call',
      status: 'completed',
      action: {
        type: 'search',
        query: p.query,
        ...(p.sources.length > 0 ? { sources: p.sources.map((s) => ({ type: 'url', url: s.url })) } : {}),
      },
    };
  }
  if (p.type === 'text') {
    return {
      id: itemId('msg', index, naming),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: p.text, annotations: [], logprobs: [] }],
    };
  }
  if (p.type === 'tool_call') {
    const alias = naming?.aliases[p.name];
    const ns = alias?.namespace ? { namespace: alias.namespace } : {};
    if (alias?.freeform) {
      return {
        id: itemId('ctc', index, naming),
        type: 'custom_tool_call',
        status: 'completed',
        call_id: p.id,
        name: alias.name,
        ...ns,
        input: freeformInput(p.arguments),
      };
    }
    return {
      id: itemId('fc', index, naming),
      type: 'function_call',
      status: 'completed',
      call_id: p.id,
      name: alias?.name ?? p.name,
      ...ns,
      arguments: p.arguments,
    };
  }
  const encrypted =
    p.redactedData !== undefined ? `${REDACTED_PREFIX}${p.redactedData}` : (p.signature ?? null);
  return {
    id: itemId('rs', index, naming),
    type: 'reasoning',
    summary: p.text === '' ? [] : [{ type: 'summary_text', text: p.text }],
    encrypted_content: encrypted,
  };
}

/** The Responses error code for a gateway error (the codes Codex and the SDKs act on). */
export function responsesErrorCode(err: GatewayError): string {
  if (err.kind === 'rate_limit' || err.kind === 'quota') return 'rate_limit_exceeded';
  if (err.kind === 'invalid_request') return 'invalid_prompt';
  return 'server_error';
}

/** Status fields of a finished response for an IR stop reason. */
export function statusFromIR(reason: IRStopReason, err?: GatewayError): JsonRecord {
  if (reason === 'max_tokens')
    return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, error: null };
  if (reason === 'content_filter')
    return { status: 'incomplete', incomplete_details: { reason: 'content_filter' }, error: null };
  if (reason === 'error') {
    return {
      status: 'failed',
      incomplete_details: null,
      error: err
        ? { code: responsesErrorCode(err), message: err.message }
        : { code: 'server_error', message: 'The provider failed to complete the response.' },
    };
  }
  return { status: 'completed', incomplete_details: null, error: null };
}

/** The response object; `output` null gives the in-progress shell sent by response.created. */
export function responseObject(
  head: { id: string; model: string; createdAt: number; stored?: boolean },
  output: JsonRecord[],
  status: JsonRecord,
  usage: TokenUsage | null,
): JsonRecord {
  return {
    id: head.id,
    object: 'response',
    created_at: head.createdAt,
    ...status,
    background: false,
    instructions: null,
    max_output_tokens: null,
    model: head.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: head.stored === true,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    truncation: 'disabled',
    usage: usage ? responsesUsageFromIR(usage) : null,
    user: null,
    metadata: {},
  };
}

export function responsesResponseFromIR(res: IRResponse, ctx: EncodeContext): JsonRecord {
  const naming = namingOf(ctx);
  return responseObject(
    {
      id: ctx.responseId ?? res.id,
      model: res.model,
      createdAt: Math.floor(ctx.now() / 1000),
      stored: ctx.responseId !== undefined,
    },
    res.content.map((p, i) => itemFromIR(p, i, naming)),
    statusFromIR(res.stopReason),
    res.usage,
  );
}
