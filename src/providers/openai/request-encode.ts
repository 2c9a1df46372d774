// IR → OpenAI chat-completions request body (the upstream side: OpenAI, Azure OpenAI and compatible
// servers). The documented defaults and refusals of this direction are listed in request.ts.
import type {
  IRMessage,
  IRRequest,
  IRResponseFormat,
  IRTextPart,
  IRToolChoice,
  IRUserPart,
} from '../../bridge/ir';
import { type JsonRecord, unsupported } from '../../bridge/read';
import { effortOf } from '../../bridge/reasoning';

export interface ChatEncodeOptions {
  /** `max_completion_tokens` for OpenAI and Azure; `max_tokens` for compatible servers that predate it. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
}

export function chatRequestFromIR(ir: IRRequest, opts: ChatEncodeOptions): JsonRecord {
  if (ir.topK !== undefined) throw unsupported('top_k', 'this model does not accept top_k');
  const messages: JsonRecord[] = [];
  if (ir.system.length > 0) messages.push({ role: 'system', content: textContent(ir.system) });
  ir.messages.forEach((m, i) => {
    messages.push(...encodeMessage(m, i));
  });
  const body: JsonRecord = { model: ir.model, messages };
  if (ir.tools.length > 0) {
    body['tools'] = ir.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        parameters: t.parameters,
        ...(t.strict !== undefined ? { strict: t.strict } : {}),
      },
    }));
    if (ir.toolChoice !== undefined) body['tool_choice'] = encodeToolChoice(ir.toolChoice);
    // OpenAI rejects parallel_tool_calls in a request without tools.
    if (ir.parallelToolCalls !== undefined) body['parallel_tool_calls'] = ir.parallelToolCalls;
  }
  if (ir.maxOutputTokens !== undefined) body[opts.maxTokensField] = ir.maxOutputTokens;
  if (ir.temperature !== undefined) body['temperature'] = ir.temperature;
  if (ir.topP !== undefined) body['top_p'] = ir.topP;
  if (ir.presencePenalty !== undefined) body['presence_penalty'] = ir.presencePenalty;
  if (ir.frequencyPenalty !== undefined) body['frequency_penalty'] = ir.frequencyPenalty;
  if (ir.seed !== undefined) body['seed'] = ir.seed;
  if (ir.stop.length > 0) body['stop'] = ir.stop;
  if (ir.responseFormat) body['response_format'] = encodeResponseFormat(ir.responseFormat);
  // Adaptive reasoning without an effort is the model's default: nothing to send.
  const effort =
    ir.reasoning?.adaptive && ir.reasoning.effort === undefined ? undefined : effortOf(ir.reasoning);
  if (effort !== undefined) body['reasoning_effort'] = effort;
  if (ir.user !== undefined) body['user'] = ir.user;
  if (ir.metadata !== undefined) body['metadata'] = ir.metadata;
  if (ir.stream) {
    body['stream'] = true;
    body['stream_options'] = { include_usage: true };
  }
  return body;
}

function textContent(parts: IRTextPart[]): string | JsonRecord[] {
  const only = parts[0];
  if (parts.length === 1 && only) return only.text;
  return parts.map((p) => ({ type: 'text', text: p.text }));
}

function encodeMessage(m: IRMessage, i: number): JsonRecord[] {
  if (m.role === 'user') {
    const only = m.content[0];
    if (m.content.length === 1 && only?.type === 'text') return [{ role: 'user', content: only.text }];
    return [{ role: 'user', content: m.content.map(encodeUserPart) }];
  }
  if (m.role === 'tool') {
    return m.content.map((r, j) => {
      const texts = r.content.map((p, k) => {
        if (p.type !== 'text') {
          throw unsupported(
            `messages[${i}].content[${j}].content[${k}]`,
            'images in tool results cannot be sent',
          );
        }
        return p;
      });
      return {
        role: 'tool',
        tool_call_id: r.toolCallId,
        content: texts.length === 0 ? '' : textContent(texts),
      };
    });
  }
  const text = m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
  const calls = m.content.flatMap((p) =>
    p.type === 'tool_call'
      ? [{ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments } }]
      : [],
  );
  const out: JsonRecord = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
  if (calls.length > 0) out['tool_calls'] = calls;
  return [out];
}

function encodeUserPart(p: IRUserPart): JsonRecord {
  if (p.type === 'text') return { type: 'text', text: p.text };
  const url = p.source.kind === 'url' ? p.source.url : `data:${p.source.mediaType};base64,${p.source.data}`;
  return { type: 'image_url', image_url: { url, ...(p.detail ? { detail: p.detail } : {}) } };
}

function encodeToolChoice(c: IRToolChoice): unknown {
  return typeof c === 'string' ? c : { type: 'function', function: { name: c.name } };
}

export function encodeResponseFormat(f: IRResponseFormat): JsonRecord {
  if (f.type !== 'json_schema') return { type: f.type };
  const schema: JsonRecord = { name: f.name, schema: f.schema };
  if (f.strict !== undefined) schema['strict'] = f.strict;
  if (f.description !== undefined) schema['description'] = f.description;
  return { type: 'json_schema', json_schema: schema };
}
