// The metering floor of the benchmark: the least any proxy that meters exactly must do, with none
// of the gateway's auth, limits, key pools, routing, validation or usage pipeline. It parses the
// request (a proxy must know the model), asks a streaming upstream for usage, and reads usage from
// the answer: a whole answer is parsed; a stream is read chunk by chunk in JS and written on to the
// client through a native byte stream, dropping the usage chunk the client did not ask for.
// It assumes what the bench upstream does (a usage event never split across chunks); it is a
// lower bound, not a proxy. run.ts compiles it with esbuild and serves it on Miniflare (workerd), like the others.
// workerd's native byte stream (this file is typechecked with Node's types, which lack it).
declare const IdentityTransformStream: new () => TransformStream<Uint8Array, Uint8Array>;

interface FloorEnv {
  UPSTREAM: string;
}

interface ChatBody {
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

const USAGE_MARK = '"usage":{';

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const body = JSON.parse(await request.text()) as ChatBody;
    const clientWantsUsage = body.stream_options?.include_usage === true;
    if (body.stream) body.stream_options = { include_usage: true };
    const res = await fetch(`${env.UPSTREAM}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: request.headers.get('authorization') ?? '',
      },
      body: JSON.stringify(body),
    });
    let usage: unknown;
    if (!body.stream) {
      const text = await res.text();
      usage = (JSON.parse(text) as { usage?: unknown }).usage;
      return new Response(text, { status: res.status, headers: { 'content-type': 'application/json' } });
    }
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const { readable, writable } = new IdentityTransformStream();
    const writer = writable.getWriter();
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    const pump = async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        const mark = text.indexOf(USAGE_MARK);
        if (mark >= 0) {
          // The event holding the mark (a chunk may carry several events, or half of one: then
          // it is forwarded as it is — a lower bound, not a proxy).
          const start = text.lastIndexOf('data: ', mark);
          const end = text.indexOf('\n\n', mark);
          let event: { usage?: unknown; choices?: unknown[] } | undefined;
          try {
            if (start >= 0 && end >= 0) event = JSON.parse(text.slice(start + 6, end));
          } catch {
            event = undefined;
          }
          if (event) usage = event.usage;
          if (event && !clientWantsUsage && event.choices?.length === 0) {
            const rest = text.slice(0, start) + text.slice(end + 2);
            if (rest) writer.write(encoder.encode(rest)).catch(() => {});
            continue;
          }
        }
        writer.write(value).catch(() => {});
      }
      await writer.close();
      return usage;
    };
    pump().catch(() => writer.abort().catch(() => {}));
    return new Response(readable, { status: res.status, headers: { 'content-type': 'text/event-stream' } });
  },
};
