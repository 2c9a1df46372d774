// Gemini's JSON-array streaming framing (`streamGenerateContent` without `alt=sse`): the same
// chunks as the SSE stream, written as the elements of one JSON array (`[{…}\n,\r\n{…}\n]`) as they
// arrive. The gateway always asks upstreams for SSE and reframes for the client here, event by
// event, so passthrough, translation, usage taps and stream-break errors work the same for both
// framings. An error chunk (a broken stream) becomes the array's last element, as Gemini sends it.
import { SseFramer, sseData } from './sse-frame';

export function sseToJsonArray(): TransformStream<Uint8Array, Uint8Array> {
  const framer = new SseFramer();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let opened = false;
  const elements = (events: string[]): string => {
    let out = '';
    for (const event of events) {
      const data = sseData(event).trim();
      if (data === '' || data === '[DONE]') continue;
      out += opened ? `\n,\r\n${data}` : `[${data}`;
      opened = true;
    }
    return out;
  };
  return new TransformStream({
    transform(chunk, controller) {
      const out = elements(framer.push(decoder.decode(chunk, { stream: true })));
      if (out) controller.enqueue(encoder.encode(out));
    },
    flush(controller) {
      const tail = elements([framer.rest() + decoder.decode()]);
      controller.enqueue(encoder.encode(`${tail}${opened ? '\n]' : '[]'}`));
    },
  });
}

/** A streamed SSE answer reframed as a JSON array; any other answer (an error, JSON) unchanged. */
export function asJsonArrayStream(res: Response): Response {
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok || !res.body || !type.includes('event-stream')) return res;
  const headers = new Headers(res.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  return new Response(res.body.pipeThrough(sseToJsonArray()), { status: res.status, headers });
}
