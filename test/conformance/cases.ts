// One entry per bridge adapter: the adapter, how the fake's answers look in its protocol, what it
// documents as lost in translation, what it refuses, and its skip list (each with a reason).

import type { BridgeAdapter, RouteInfo, UpstreamConfig } from '../../src/bridge/adapter';
import type { IRAssistantPart, IRRequest, IRResponse } from '../../src/bridge/ir';
import { effortOf } from '../../src/bridge/reasoning';
import type { TokenUsage } from '../../src/usage/types';
import type { ProtocolFacts } from './expected';
import type { SdkReader } from './sdk';

export type TestName =
  | 'request-identity'
  | 'request-rich'
  | 'response-fixtures'
  | 'response-roundtrip'
  | 'stream-decode'
  | 'stream-encode'
  | 'errors'
  | 'stream-error'
  | 'tool-result-images'
  | 'signatures'
  | 'stop-sequence';

export interface Refusal {
  what: string;
  /** A change to the rich request that this upstream cannot carry. */
  mutate?: (ir: IRRequest) => void;
  /** Or a client body this protocol's decoder must refuse. */
  body?: unknown;
  param: string;
}

export interface TargetCheck {
  cfg: UpstreamConfig;
  req: { model: string; stream: boolean };
  url: string;
  headers: Record<string, string>;
}

export interface AdapterCase {
  name: string;
  /** An upstream target this adapter must build exactly. */
  target: TargetCheck;
  /** Folder under test/fixtures/providers. */
  fixtures: string;
  adapter: BridgeAdapter;
  facts: ProtocolFacts;
  sdk: SdkReader;
  /** Extra route facts for decodeRequest (Gemini carries model and streaming in the URL). */
  route(ir: { model: string; stream: boolean }): RouteInfo;
  /** Removes from the rich request what this upstream refuses (each also listed in `refusals`). */
  richAdjust?(ir: IRRequest): void;
  /** A recorded client body in the form the encoder writes it (shorthands expanded, defaults added). */
  canonicalBody?(body: unknown): unknown;
  /** How the SDK shows an error event: it throws (default), or reports this stop/status. */
  streamErrorStop?: string;
  /** The rich request after IR → upstream body → IR: exactly what the adapter documents as lost. */
  requestLoss(ir: IRRequest): IRRequest;
  /** A response after IR → client body (or stream) → IR. */
  clientLoss(res: IRResponse): IRResponse;
  /** IR usage as the SDK reports it, in this protocol's own field names. */
  usageWire(u: TokenUsage): unknown;
  /** An upstream context-length error in this protocol's words. */
  contextLength: { status: number; body: unknown };
  refusals: Refusal[];
  skip: Partial<Record<TestName, string>>;
}

// ---- shared loss helpers ----

export function withoutCache(ir: IRRequest): IRRequest {
  const strip = <T extends { cache?: unknown }>(p: T): T => {
    const { cache: _cache, ...rest } = p;
    return rest as T;
  };
  return {
    ...ir,
    system: ir.system.map(strip),
    tools: ir.tools.map(strip),
    messages: ir.messages.map((m) => {
      if (m.role === 'user') return { ...m, content: m.content.map(strip) };
      if (m.role === 'tool')
        return { ...m, content: m.content.map((r) => ({ ...strip(r), content: r.content.map(strip) })) };
      return m;
    }),
  };
}

export function withoutThinking(ir: IRRequest): IRRequest {
  return {
    ...ir,
    messages: ir.messages.map((m) =>
      m.role === 'assistant' ? { ...m, content: m.content.filter((p) => p.type !== 'thinking') } : m,
    ),
  };
}

export function effortOnly(ir: IRRequest): IRRequest {
  const effort = effortOf(ir.reasoning);
  const { reasoning: _r, ...rest } = ir;
  return effort === undefined ? rest : { ...rest, reasoning: { effort } };
}

/** A response as a flat-text protocol returns it: reasoning, then text, then tool calls. */
export function flattened(res: IRResponse, keepSignatures: boolean): IRResponse {
  const thinking = res.content.filter((p) => p.type === 'thinking' && p.redactedData === undefined);
  const text = res.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
  const content: IRAssistantPart[] = [];
  if (thinking.length > 0) {
    const joined = thinking.flatMap((p) => (p.type === 'thinking' ? [p.text] : [])).join('');
    const sig = thinking.find((p) => p.type === 'thinking' && p.signature);
    const signature = keepSignatures && sig?.type === 'thinking' ? sig.signature : undefined;
    if (joined !== '' || signature)
      content.push({ type: 'thinking', text: joined, ...(signature ? { signature } : {}) });
  }
  if (text !== '') content.push({ type: 'text', text });
  content.push(...res.content.filter((p) => p.type === 'tool_call'));
  return { ...res, content };
}

export function stopWithout(res: IRResponse, lost: IRResponse['stopReason'][]): IRResponse {
  const { stopSequence: _s, ...rest } = res;
  return { ...rest, stopReason: lost.includes(res.stopReason) ? 'end_turn' : res.stopReason };
}
