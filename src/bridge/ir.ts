// The internal representation (IR) of a chat exchange that every protocol translates to and from.
// Provider-neutral on purpose: a field exists here only when at least two wire protocols can carry
// it, and no protocol's name or quirk appears. Each adapter documents what it refuses or defaults.
import type { GatewayError } from '../errors/gateway-error';
import type { TokenUsage } from '../usage/types';

/** A prompt-cache breakpoint hint on a part or a tool (the prefix up to here may be cached). */
export interface IRCacheHint {
  ttl?: '5m' | '1h';
}

export interface IRTextPart {
  type: 'text';
  text: string;
  cache?: IRCacheHint;
}

export type IRImageSource =
  | { kind: 'url'; url: string }
  | { kind: 'base64'; mediaType: string; data: string };

export interface IRImagePart {
  type: 'image';
  source: IRImageSource;
  /** Resolution hint; protocols without one ignore it. */
  detail?: 'auto' | 'low' | 'high';
  cache?: IRCacheHint;
}

export interface IRToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  /** The arguments as a JSON text, exactly as the model produced them. */
  arguments: string;
}

export interface IRToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  content: Array<IRTextPart | IRImagePart>;
  isError: boolean;
  cache?: IRCacheHint;
}

/**
 * Model reasoning. `signature` is the opaque token a model needs to trust its own earlier reasoning
 * when it is sent back; `redactedData` carries reasoning the provider returned encrypted only.
 */
export interface IRThinkingPart {
  type: 'thinking';
  text: string;
  signature?: string;
  redactedData?: string;
}

/** A web search the provider ran for the answer (a server tool): what it searched and found. */
export interface IRWebSearchPart {
  type: 'web_search';
  id: string;
  query: string;
  sources: { url: string; title?: string }[];
}

export type IRUserPart = IRTextPart | IRImagePart;
export type IRAssistantPart = IRTextPart | IRThinkingPart | IRToolCallPart;
/** What an answer holds: assistant parts, and the server tools' work (never sent back upstream). */
export type IRAnswerPart = IRAssistantPart | IRWebSearchPart;

export const isAssistantPart = (p: IRAnswerPart): p is IRAssistantPart => p.type !== 'web_search';
export type IRPart = IRTextPart | IRImagePart | IRToolCallPart | IRToolResultPart | IRThinkingPart;

export type IRMessage =
  | { role: 'user'; content: IRUserPart[] }
  | { role: 'assistant'; content: IRAssistantPart[] }
  | { role: 'tool'; content: IRToolResultPart[] };

export interface IRTool {
  name: string;
  description?: string;
  /** JSON schema of the arguments; always an object schema. */
  parameters: Record<string, unknown>;
  strict?: boolean;
  cache?: IRCacheHint;
}

export type IRToolChoice = 'auto' | 'none' | 'required' | { name: string };

/**
 * A tool the provider runs itself (a server tool). Each upstream maps it to its native equivalent
 * (UpstreamSide.builtinTools lists which); one an upstream lacks is left out and reported.
 */
export interface IRBuiltinTool {
  kind: 'web_search';
  /** Where the client declared it (e.g. `tools[8]`), for reporting. */
  param?: string;
  /** Restrict results to these domains. */
  allowedDomains?: string[];
  maxUses?: number;
  userLocation?: { city?: string; region?: string; country?: string; timezone?: string };
}

/**
 * How the client declared a tool the IR renamed: a tool inside a namespace (flattened to
 * `<namespace>__<name>`) or a free-form tool (carried as a function with one string argument, `input`).
 */
export interface IRToolAlias {
  name: string;
  namespace?: string;
  freeform?: boolean;
}

export type IRResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      name: string;
      schema: Record<string, unknown>;
      strict?: boolean;
      description?: string;
    };

export type IRReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

/** How much the model should reason: an effort level, a token budget, or "model decides". */
export interface IRReasoning {
  effort?: IRReasoningEffort;
  budgetTokens?: number;
  /** The model decides whether and how much to think. */
  adaptive?: boolean;
}

export interface IRRequest {
  model: string;
  system: IRTextPart[];
  messages: IRMessage[];
  tools: IRTool[];
  toolChoice?: IRToolChoice;
  parallelToolCalls?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  stop: string[];
  responseFormat?: IRResponseFormat;
  reasoning?: IRReasoning;
  stream: boolean;
  /** The client wants token usage reported in the stream (the gateway always meters it). */
  streamUsage: boolean;
  /** An end-user identifier for the provider's abuse monitoring. */
  user?: string;
  metadata?: Record<string, string>;
  /** Server tools the client declared (not forced); see IRBuiltinTool. */
  builtinTools?: IRBuiltinTool[];
  /** IR tool name → the client's declaration, for names the client side changed. */
  toolAliases?: Record<string, IRToolAlias>;
  /** What the translation left out that the client sent (reported in `x-switchyard-dropped`). */
  dropped?: string[];
}

export type IRStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'tool_use'
  | 'stop_sequence'
  | 'content_filter'
  | 'error';

export interface IRResponse {
  id: string;
  model: string;
  content: IRAnswerPart[];
  stopReason: IRStopReason;
  /** The stop sequence that matched, when the protocol reports it. */
  stopSequence?: string;
  usage: TokenUsage;
}

/**
 * Normalized stream events. `index` numbers the response's content parts from 0 in order; a part
 * starts with its first event and ends with `part_stop`. Decoders guarantee: `message_start` first;
 * `usage` (when the upstream reports it) before the terminal event; exactly one terminal event,
 * `message_stop` or `error`.
 */
export type IRStreamEvent =
  | { type: 'message_start'; id: string; model: string }
  | { type: 'text_delta'; index: number; text: string }
  | { type: 'thinking_delta'; index: number; text: string }
  | { type: 'signature'; index: number; signature: string }
  | { type: 'redacted_thinking'; index: number; data: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; arguments: string }
  | { type: 'part_stop'; index: number }
  /** A whole web-search part at once (its query and sources are known together). */
  | ({ index: number } & IRWebSearchPart)
  | { type: 'usage'; usage: TokenUsage }
  | { type: 'message_stop'; stopReason: IRStopReason; stopSequence?: string }
  | { type: 'error'; error: GatewayError };
