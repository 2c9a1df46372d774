// The protocol-neutral core: every wire format turns its request into a Conversation, and
// planReply() decides the deterministic answer and token counts documented in server.ts.

import type { Behaviour } from './behaviour';
import { asArray, asRecord, asString, isRecord, type Json, type JsonObject } from './json';

export interface ToolDef {
  name: string;
  /** JSON schema of the arguments (OpenAPI-style upper-case types from Gemini are accepted). */
  schema: unknown;
}

export interface ToolChoice {
  /** auto: model may call; required: must call some tool; none: must not call. */
  mode: 'auto' | 'required' | 'none';
  /** A forced tool name (implies a call to exactly that tool). */
  name?: string;
}

export interface Conversation {
  /** All prompt text pieces (system, message text parts, tool results); tools excluded. */
  texts: string[];
  /** Text of the last user turn that carries text; null when there is none. */
  lastUserText: string | null;
  tools: ToolDef[];
  toolChoice: ToolChoice;
  /** A tool result is already in the conversation, so the model answers in text. */
  hasToolResult: boolean;
  /** False when the request explicitly disables parallel tool calls. */
  parallelAllowed: boolean;
  /** Anthropic `thinking` enabled in the request. */
  thinking?: boolean;
}

export interface ToolCall {
  name: string;
  args: JsonObject;
  /** `JSON.stringify(args)`, the exact string sent on the wire. */
  argsJson: string;
}

export interface Usage {
  /** Words of the prompt (the uncached, unwritten part of the input). */
  promptWords: number;
  cached: number;
  cacheWrite: number;
  reasoning: number;
  /** Server-side web searches the answer made (Anthropic `server_tool_use`, Responses items). */
  webSearches: number;
  /** Words of the reply text plus the tool-call argument words. Excludes reasoning. */
  outputWords: number;
}

export type Reply =
  | { kind: 'text'; text: string; usage: Usage }
  | { kind: 'tools'; calls: ToolCall[]; usage: Usage };

/** The token rule used everywhere: whitespace-separated words. */
export function countWords(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

export function countAllWords(texts: string[]): number {
  return texts.reduce((n, t) => n + countWords(t), 0);
}

/** Words of a tool call as counted in completion tokens: at least 1 per call. */
export function toolCallWords(call: ToolCall): number {
  return Math.max(1, countWords(call.argsJson));
}

function firstType(schema: Record<string, unknown>): string | undefined {
  const t = schema['type'];
  if (typeof t === 'string') return t.toLowerCase();
  if (Array.isArray(t)) {
    const first = t.find((x) => typeof x === 'string' && x.toLowerCase() !== 'null');
    return typeof first === 'string' ? first.toLowerCase() : undefined;
  }
  if (isRecord(schema['properties'])) return 'object';
  return undefined;
}

/** A value for a JSON schema: enum → first value, string → "sample", number → 1, boolean → true. */
export function sampleValue(schemaIn: unknown): Json {
  const schema = asRecord(schemaIn);
  const enumValues = asArray(schema['enum']);
  if (enumValues.length > 0) return enumValues[0] as Json;
  if (schema['const'] !== undefined) return schema['const'] as Json;
  const alt = asArray(schema['anyOf'] ?? schema['oneOf'])[0];
  if (alt !== undefined) return sampleValue(alt);
  switch (firstType(schema)) {
    case 'string':
      return 'sample';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return sampleArgs(schema);
    default:
      return null;
  }
}

/** Arguments for a tool: every `required` property gets a sample value; optional ones are left out. */
export function sampleArgs(schemaIn: unknown): JsonObject {
  const schema = asRecord(schemaIn);
  const props = asRecord(schema['properties']);
  const args: JsonObject = {};
  for (const name of asArray(schema['required'])) {
    if (typeof name === 'string') args[name] = sampleValue(props[name]);
  }
  return args;
}

function toolCall(tool: ToolDef): ToolCall {
  const args = sampleArgs(tool.schema);
  return { name: tool.name, args, argsJson: JSON.stringify(args) };
}

export class UnknownToolError extends Error {
  override name = 'UnknownToolError';
}

/** Decides the reply for a conversation under a behaviour (status faults are handled elsewhere). */
export function planReply(conv: Conversation, behaviour: Behaviour): Reply {
  const base = {
    promptWords: countAllWords(conv.texts),
    cached: behaviour.usage?.cachedTokens ?? 0,
    cacheWrite: behaviour.usage?.cacheWriteTokens ?? 0,
    reasoning: behaviour.usage?.reasoningTokens ?? 0,
    webSearches: behaviour.usage?.webSearches ?? 0,
  };
  const wantsTools =
    conv.tools.length > 0 && !conv.hasToolResult && conv.toolChoice.mode !== 'none' && !behaviour.noTools;
  if (wantsTools) {
    let picked: ToolDef[];
    if (behaviour.tool && conv.toolChoice.name === undefined) {
      const scripted = behaviour.tool;
      if (!conv.tools.some((t) => t.name === scripted.name))
        throw new UnknownToolError(`the scripted tool '${scripted.name}' is not among the request's tools`);
      const args = scripted.args as JsonObject;
      const call = { name: scripted.name, args, argsJson: JSON.stringify(args) };
      return { kind: 'tools', calls: [call], usage: { ...base, outputWords: toolCallWords(call) } };
    }
    if (conv.toolChoice.name !== undefined) {
      const forced = conv.tools.find((t) => t.name === conv.toolChoice.name);
      if (!forced)
        throw new UnknownToolError(`tool_choice names an undefined tool '${conv.toolChoice.name}'`);
      picked = [forced];
    } else {
      const parallel =
        conv.parallelAllowed && conv.tools.length >= 2 && /\bparallel\b/i.test(conv.lastUserText ?? '');
      picked = conv.tools.slice(0, parallel ? 2 : 1);
    }
    const calls = picked.map(toolCall);
    const outputWords = calls.reduce((n, c) => n + toolCallWords(c), 0);
    return { kind: 'tools', calls, usage: { ...base, outputWords } };
  }
  const text = behaviour.text ?? `Echo: ${conv.lastUserText ?? '(empty)'}`;
  return { kind: 'text', text, usage: { ...base, outputWords: countWords(text) } };
}

/**
 * Splits text into stream deltas that concatenate back to it exactly. Default: one per word, each
 * word carrying its leading whitespace (" world"), like real token streams. With `chunks`: that many
 * pieces of near-equal length (by code point).
 */
export function splitDeltas(text: string, chunks?: number): string[] {
  if (text === '') return [];
  if (chunks === undefined) {
    const pieces = text.match(/\s*\S+/g) ?? [text];
    const rest = text.slice(pieces.join('').length);
    if (rest !== '') pieces[pieces.length - 1] += rest;
    return pieces;
  }
  const chars = Array.from(text);
  const n = Math.min(Math.max(1, chunks), chars.length);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      chars.slice(Math.floor((i * chars.length) / n), Math.floor(((i + 1) * chars.length) / n)).join(''),
    );
  }
  return out;
}

/** Splits a JSON argument string into small pieces for argument-delta events. */
export function splitJson(json: string, size = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i < json.length; i += size) out.push(json.slice(i, i + size));
  return out;
}

/**
 * Deterministic embedding: `dims` floats (default 8); element i is a multiple of 1/1024 in [-1, 1]
 * from FNV-1a of `${i}:${text}`. Multiples of 1/1024 are exact in float32, so the base64 (float32)
 * and float encodings decode to identical numbers.
 */
export function embedVector(text: string, dims = 8): number[] {
  const out: number[] = [];
  for (let i = 0; i < dims; i++) {
    let h = 0x811c9dc5;
    for (const ch of `${i}:${text}`) {
      h ^= ch.codePointAt(0) ?? 0;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out.push(((h % 2049) - 1024) / 1024);
  }
  return out;
}

/** Text pieces of an OpenAI/Anthropic-style content value: a string or an array of text parts. */
export function textParts(content: unknown, textTypes: string[] = ['text']): string[] {
  if (typeof content === 'string') return [content];
  const out: string[] = [];
  for (const part of asArray(content)) {
    const p = asRecord(part);
    const text = asString(p['text']);
    if (text !== undefined && (p['type'] === undefined || textTypes.includes(String(p['type']))))
      out.push(text);
  }
  return out;
}
