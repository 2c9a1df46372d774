// CLI: `tsx test/fake-provider/main.ts [--port 9999] [--host 127.0.0.1]` runs the fake until SIGINT/SIGTERM.

import { parseArgs } from 'node:util';
import { startFakeProvider } from './server';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(2);
}

const fake = await startFakeProvider({ port, host: values.host });
console.log(`fake provider listening on ${fake.url}`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`fake provider stopping (${signal})`);
  void fake.close().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
