// The Portkey gateway (`@portkey-ai/gateway`, its Node build) as a benchmark peer, in a process of
// its own. Its server listens on every interface at a fixed port; this launcher makes it listen
// on 127.0.0.1 at a port the OS picks, and tells the benchmark the URL over the IPC channel.
import { createRequire } from 'node:module';
import { type AddressInfo, Server } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const listen = Server.prototype.listen;
Server.prototype.listen = function loopbackOnly(this: Server, ...args: unknown[]) {
  const callback = args.find((a) => typeof a === 'function') as (() => void) | undefined;
  this.once('listening', () => {
    const { port } = this.address() as AddressInfo;
    process.send?.(`http://127.0.0.1:${port}`);
  });
  return listen.call(this, { port: 0, host: '127.0.0.1' }, callback);
} as typeof Server.prototype.listen;

// Node 20's fetch hands back a Response whose headers are immutable, and Portkey 1.15 appends its
// trace headers to the upstream's own Response on the streaming path, so every stream fails there
// with "TypeError: immutable" (Node 22 is not affected). The same Response with mutable headers
// (one object per streamed answer, a cost the peer pays that it would not on Node 22).
const nodeFetch = globalThis.fetch;
globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
  const res = await nodeFetch(...args);
  return res.headers.get('content-type')?.startsWith('text/event-stream') ? new Response(res.body, res) : res;
};

// Never outlive the benchmark that started it.
process.on('disconnect', () => process.exit(0));
process.argv.push('--port=0', '--headless');
const pkg = createRequire(import.meta.url).resolve('@portkey-ai/gateway/package.json');
await import(pathToFileURL(join(dirname(pkg), 'build/start-server.js')).href);
