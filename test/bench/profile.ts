// `npm run bench:profile [-- stream]`: a CPU profile of the gateway under the benchmark's load,
// taken through workerd's DevTools inspector (loopback only), printed as the functions with the
// most self time and the most inclusive time (PROFILE_OUT=<file> also writes the profile). For
// finding where the gateway's CPU goes; the figures of record come from `npm run bench`.
import { writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { load } from './load';
import { type Cleanup, startBenchGateway, startUpstreamProcess } from './targets';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const stream = process.argv.includes('stream');
/** A port the OS picks (another process may hold 9229). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const SECONDS = 8;

function inspector(url: string) {
  const ws = new WebSocket(url);
  let nextId = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  return {
    open: new Promise((resolve) => ws.once('open', resolve)),
    send<T>(method: string, params: object = {}): Promise<T> {
      const id = ++nextId;
      return new Promise<T>((resolve) => {
        pending.set(id, (r) => resolve(r as T));
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => ws.close(),
  };
}

function report(profile: Profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop() ?? ''}:${n.callFrame.lineNumber}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const id of profile.samples) {
    const node = nodes.get(id);
    if (!node) continue;
    self.set(label(node), (self.get(label(node)) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: ProfileNode | undefined = node; at; at = nodes.get(parent.get(at.id) ?? -1)) {
      const l = label(at);
      if (!seen.has(l)) inclusive.set(l, (inclusive.get(l) ?? 0) + 1);
      seen.add(l);
    }
  }
  const print = (title: string, m: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [l, n] of [...m].sort((a, b) => b[1] - a[1]).slice(0, 70))
      console.log(`${((n / profile.samples.length) * 100).toFixed(1).padStart(6)}%  ${l}`);
  };
  print('self time', self);
  print('inclusive time', inclusive);
}

async function main() {
  const cleanups: Cleanup[] = [];
  const INSPECTOR_PORT = await freePort();
  process.env['SWITCHYARD_INSPECTOR_PORT'] = String(INSPECTOR_PORT);
  try {
    const upstream = await startUpstreamProcess(cleanups);
    const { gw, depth4Key: gatewayKey } = await startBenchGateway(upstream, cleanups);
    const opts = {
      origin: gw.url,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gatewayKey}` },
      body: JSON.stringify({
        model: process.argv.includes('long') ? 'bench-300' : 'bench-7',
        messages: [{ role: 'user', content: 'hello' }],
        stream,
      }),
      stream,
      connections: Number(process.env['PROFILE_CONNECTIONS'] ?? 50),
    };
    await load({ ...opts, seconds: 2 });
    const targets = (await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json`)).json()) as {
      title: string;
      webSocketDebuggerUrl: string;
    }[];
    const target = targets.find((t) => t.title.includes('core:user:switchyard'));
    if (!target) throw new Error(`no gateway among the inspector's targets: ${targets.map((t) => t.title)}`);
    const devtools = inspector(target.webSocketDebuggerUrl);
    await devtools.open;
    await devtools.send('Profiler.enable');
    await devtools.send('Profiler.setSamplingInterval', { interval: 200 });
    await devtools.send('Profiler.start');
    const figures = await load({ ...opts, seconds: SECONDS });
    const { profile } = await devtools.send<{ profile: Profile }>('Profiler.stop');
    devtools.close();
    console.log(`${stream ? 'stream' : 'non-stream'}: ${figures.reqPerSec.toFixed(1)} req/s while profiling`);
    report(profile);
    // Chrome DevTools opens the file as a .cpuprofile.
    if (process.env['PROFILE_OUT']) writeFileSync(process.env['PROFILE_OUT'], JSON.stringify(profile));
  } finally {
    for (const close of cleanups.reverse()) await close().catch(() => {});
    await sleep(100);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
