// IR → Gemini generateContent request body (the upstream side). The model and streaming go in the
// URL (index.ts), not the body.
//
// Documented defaults: a reasoning effort alone becomes `thinkingLevel` (minimal…high) or, for
// xhigh/max, a `thinkingBudget` (bridge/reasoning.ts); a budget stays a budget; effort "none" is
// `thinkingBudget: 0`; adaptive is `thinkingBudget: -1`; `includeThoughts: true` is set whenever
// reasoning is requested, so reasoning text can be relayed; a reasoning signature is sent as
// `thoughtSignature` on the part that follows it in the turn (where Gemini puts it), else on an
// empty thought part of its own (see response.ts); redacted reasoning
// (another provider's encrypted thinking) is dropped; `parallelToolCalls: false` is dropped (Gemini
// has no switch for it); `strict` on tools and response schemas, `user`, `metadata` and cache hints
// are dropped; image `detail` is dropped; image URLs are sent as `fileData` (with a MIME type
// guessed from the file extension when there is one); tool results are sent as
// `{output: text}` (`{error: text}` when marked as an error), several text parts joined by "\n";
// consecutive turns of the same role are merged.
// Refused: images inside tool results.
import type {
  IRBuiltinTool,
  IRMessage,
  IRRequest,
  IRResponseFormat,
  IRToolChoice,
  IRUserPart,
} from '../../bridge/ir';
import { invalid, type JsonRecord, parseArguments, unsupported } from '../../bridge/read';
import { budgetOf } from '../../bridge/reasoning';
import { partsFromIR } from './response';

const EXT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

/**
 * Google Search grounding stands in for web search, but only in a request without function
 * declarations: the Gemini API refuses the two together on most models, and the functions are the
 * part an agent cannot do without.
 */
export function geminiBuiltinTools(ir: IRRequest): readonly IRBuiltinTool['kind'][] {
  return ir.tools.length === 0 ? ['web_search'] : [];
}

export function geminiRequestFromIR(ir: IRRequest): JsonRecord {
  const body: JsonRecord = { contents: encodeContents(ir.messages) };
  if (ir.system.length > 0) body['systemInstruction'] = { parts: ir.system.map((p) => ({ text: p.text })) };
  if (ir.tools.length > 0) {
    body['tools'] = [
      {
        functionDeclarations: ir.tools.map((t) => ({
          name: t.name,
          ...(t.description !== undefined ? { description: t.description } : {}),
          parametersJsonSchema: t.parameters,
        })),
      },
    ];
    if (ir.toolChoice !== undefined)
      body['toolConfig'] = { functionCallingConfig: encodeToolChoice(ir.toolChoice) };
  }
  // Web search is Google Search grounding; geminiBuiltinTools offers it only without functions.
  if (ir.builtinTools?.some((t) => t.kind === 'web_search'))
    body['tools'] = [...((body['tools'] as unknown[] | undefined) ?? []), { googleSearch: {} }];
  const config = generationConfig(ir);
  if (Object.keys(config).length > 0) body['generationConfig'] = config;
  return body;
}

function generationConfig(ir: IRRequest): JsonRecord {
  const c: JsonRecord = {};
  if (ir.stop.length > 0) c['stopSequences'] = ir.stop;
  if (ir.maxOutputTokens !== undefined) c['maxOutputTokens'] = ir.maxOutputTokens;
  if (ir.temperature !== undefined) c['temperature'] = ir.temperature;
  if (ir.topP !== undefined) c['topP'] = ir.topP;
  if (ir.topK !== undefined) c['topK'] = ir.topK;
  if (ir.presencePenalty !== undefined) c['presencePenalty'] = ir.presencePenalty;
  if (ir.frequencyPenalty !== undefined) c['frequencyPenalty'] = ir.frequencyPenalty;
  if (ir.seed !== undefined) c['seed'] = ir.seed;
  Object.assign(c, responseFormat(ir.responseFormat));
  const thinking = thinkingConfig(ir);
  if (thinking) c['thinkingConfig'] = thinking;
  return c;
}

function responseFormat(f: IRResponseFormat | undefined): JsonRecord {
  if (!f || f.type === 'text') return {};
  if (f.type === 'json_object') return { responseMimeType: 'application/json' };
  return { responseMimeType: 'application/json', responseJsonSchema: f.schema };
}

function thinkingConfig(ir: IRRequest): JsonRecord | undefined {
  const r = ir.reasoning;
  if (!r) return undefined;
  const level =
    r.effort === 'minimal' || r.effort === 'low' || r.effort === 'medium' || r.effort === 'high'
      ? r.effort
      : undefined;
  if (r.adaptive) return { thinkingBudget: -1, includeThoughts: true };
  // Gemini 3 models take a level; a budget is still accepted by every thinking model.
  if (r.budgetTokens === undefined && level !== undefined)
    return { thinkingLevel: level.toUpperCase(), includeThoughts: true };
  const budget = budgetOf(r);
  if (budget === undefined) return undefined;
  return budget === 0 ? { thinkingBudget: 0 } : { thinkingBudget: budget, includeThoughts: true };
}

function encodeToolChoice(c: IRToolChoice): JsonRecord {
  if (c === 'auto') return { mode: 'AUTO' };
  if (c === 'none') return { mode: 'NONE' };
  if (c === 'required') return { mode: 'ANY' };
  return { mode: 'ANY', allowedFunctionNames: [c.name] };
}

function imagePart(p: IRUserPart, at: string): JsonRecord {
  if (p.type === 'text') return { text: p.text };
  if (p.source.kind === 'base64')
    return { inlineData: { mimeType: p.source.mediaType, data: p.source.data } };
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(p.source.url)?.[1]?.toLowerCase();
  const mimeType = ext ? EXT_TYPES[ext] : undefined;
  if (!/^(https?|gs):\/\//.test(p.source.url)) throw invalid(at, 'image URLs must be http(s) or gs:// URLs');
  return { fileData: { fileUri: p.source.url, ...(mimeType ? { mimeType } : {}) } };
}

function toolNames(messages: IRMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of messages) {
    if (m.role !== 'assistant') continue;
    for (const p of m.content) if (p.type === 'tool_call') names.set(p.id, p.name);
  }
  return names;
}

function encodeParts(m: IRMessage, i: number, names: Map<string, string>): JsonRecord[] {
  const at = (j: number) => `messages[${i}].content[${j}]`;
  if (m.role === 'user') return m.content.map((p, j) => imagePart(p, at(j)));
  if (m.role === 'tool') {
    return m.content.map((r, j) => {
      const name = names.get(r.toolCallId);
      if (name === undefined)
        throw invalid(at(j), `tool result ${r.toolCallId} answers no earlier tool call`);
      const text = r.content
        .map((p, k) => {
          if (p.type !== 'text')
            throw unsupported(`${at(j)}.content[${k}]`, 'images in tool results cannot be sent');
          return p.text;
        })
        .join('\n');
      return {
        functionResponse: {
          id: r.toolCallId,
          name,
          response: r.isError ? { error: text } : { output: text },
        },
      };
    });
  }
  return partsFromIR(m.content, (p, j) => ({
    id: p.id,
    name: p.name,
    args: parseArguments(p.arguments, at(j)),
  }));
}

function encodeContents(messages: IRMessage[]): JsonRecord[] {
  const names = toolNames(messages);
  const out: { role: 'user' | 'model'; parts: JsonRecord[] }[] = [];
  messages.forEach((m, i) => {
    const parts = encodeParts(m, i, names);
    const role = m.role === 'assistant' ? 'model' : 'user';
    const last = out[out.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else out.push({ role, parts });
  });
  return out;
}
