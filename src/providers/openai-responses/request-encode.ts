// IR → OpenAI Responses request body (the upstream side, `POST /v1/responses`).
//
// Documented defaults: `store: false` is always sent (the gateway does not ask OpenAI to keep
// conversations); reasoning from the history is dropped (an OpenAI reasoning item can only be
// replayed with OpenAI's own encrypted content, which the IR does not carry); a thinking budget
// becomes `reasoning.effort` (bridge/reasoning.ts); tools are sent with `strict: false` unless the
// caller asked for strict schemas (Responses defaults to strict, which most schemas do not meet);
// images default to `detail: "auto"`; tool-result errors, cache hints and `seed` are dropped; a
// single system part becomes `instructions`, several become a system message.
// Refused: stop sequences, `top_k`, presence/frequency penalties (the Responses API has none).
import type { IRMessage, IRRequest, IRToolChoice, IRUserPart } from '../../bridge/ir';
import { type JsonRecord, unsupported } from '../../bridge/read';
import { effortOf } from '../../bridge/reasoning';

export function responsesRequestFromIR(ir: IRRequest): JsonRecord {
  if (ir.stop.length > 0) throw unsupported('stop', 'this model takes no stop sequences');
  if (ir.topK !== undefined) throw unsupported('top_k', 'this model does not accept top_k');
  if (ir.presencePenalty) throw unsupported('presence_penalty', 'this model has no presence penalty');
  if (ir.frequencyPenalty) throw unsupported('frequency_penalty', 'this model has no frequency penalty');
  const body: JsonRecord = { model: ir.model };
  const input: JsonRecord[] = [];
  const only = ir.system[0];
  if (ir.system.length === 1 && only) body['instructions'] = only.text;
  else if (ir.system.length > 1) {
    input.push({
      type: 'message',
      role: 'system',
      content: ir.system.map((p) => ({ type: 'input_text', text: p.text })),
    });
  }
  for (const m of ir.messages) input.push(...encodeItems(m));
  body['input'] = input;
  if (ir.tools.length > 0) {
    body['tools'] = ir.tools.map((t) => ({
      type: 'function',
      name: t.name,
      ...(t.description !== undefined ? { description: t.description } : {}),
      parameters: t.parameters,
      strict: t.strict ?? false,
    }));
    if (ir.toolChoice !== undefined) body['tool_choice'] = encodeToolChoice(ir.toolChoice);
    if (ir.parallelToolCalls !== undefined) body['parallel_tool_calls'] = ir.parallelToolCalls;
  }
  if (ir.maxOutputTokens !== undefined) body['max_output_tokens'] = ir.maxOutputTokens;
  if (ir.temperature !== undefined) body['temperature'] = ir.temperature;
  if (ir.topP !== undefined) body['top_p'] = ir.topP;
  const f = ir.responseFormat;
  if (f) {
    if (f.type !== 'json_schema') body['text'] = { format: { type: f.type } };
    else {
      const format: JsonRecord = { type: 'json_schema', name: f.name, schema: f.schema };
      if (f.strict !== undefined) format['strict'] = f.strict;
      if (f.description !== undefined) format['description'] = f.description;
      body['text'] = { format };
    }
  }
  const effort =
    ir.reasoning?.adaptive && ir.reasoning.effort === undefined ? undefined : effortOf(ir.reasoning);
  if (effort !== undefined) body['reasoning'] = { effort };
  if (ir.user !== undefined) body['user'] = ir.user;
  if (ir.metadata !== undefined) body['metadata'] = ir.metadata;
  if (ir.stream) body['stream'] = true;
  body['store'] = false;
  return body;
}

function encodeToolChoice(c: IRToolChoice): unknown {
  return typeof c === 'string' ? c : { type: 'function', name: c.name };
}

function inputPart(p: IRUserPart): JsonRecord {
  if (p.type === 'text') return { type: 'input_text', text: p.text };
  const url = p.source.kind === 'url' ? p.source.url : `data:${p.source.mediaType};base64,${p.source.data}`;
  return { type: 'input_image', image_url: url, detail: p.detail ?? 'auto' };
}

function encodeItems(m: IRMessage): JsonRecord[] {
  if (m.role === 'user') return [{ type: 'message', role: 'user', content: m.content.map(inputPart) }];
  if (m.role === 'tool') {
    return m.content.map((r) => {
      const only = r.content[0];
      const output = r.content.length === 1 && only?.type === 'text' ? only.text : r.content.map(inputPart);
      return { type: 'function_call_output', call_id: r.toolCallId, output };
    });
  }
  const items: JsonRecord[] = [];
  let texts: JsonRecord[] = [];
  const flush = (): void => {
    if (texts.length > 0) items.push({ type: 'message', role: 'assistant', content: texts });
    texts = [];
  };
  for (const p of m.content) {
    if (p.type === 'text') texts.push({ type: 'output_text', text: p.text });
    else if (p.type === 'tool_call') {
      flush();
      items.push({ type: 'function_call', call_id: p.id, name: p.name, arguments: p.arguments });
    }
  }
  flush();
  return items;
}
