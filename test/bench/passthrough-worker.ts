// The baseline of the benchmark: a bare Worker that forwards the request body to the upstream and
// streams the upstream's answer back, with nothing in between. run.ts compiles it with esbuild and
// serves it on Miniflare (workerd), like the gateway.
interface PassthroughEnv {
  /** Origin of the upstream, e.g. http://127.0.0.1:1234 */
  UPSTREAM: string;
}

export default {
  async fetch(request: Request, env: PassthroughEnv): Promise<Response> {
    const res = await fetch(`${env.UPSTREAM}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: request.headers.get('authorization') ?? '',
      },
      body: request.body,
    });
    return new Response(res.body, res);
  },
};
