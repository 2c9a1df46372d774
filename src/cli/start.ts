// `npm start`: everything a new user needs, on a fresh clone, with no Cloudflare account and no
// provider key: local secrets, the dashboard build, local D1 migrations, the gateway (wrangler dev:
// real workerd, D1, Durable Objects and Queues), the demo policy, and a curl line that works.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createDemoUsers, ensureDemoUserSecrets } from './demo-users';
import { ensureLocalSecrets } from './local-secrets';
import { localWorkerdEnv } from './local-workerd';
import { formatChanges, readPolicyFile, resolveSecrets, sendPolicy } from './policy-client';

const root = resolve(import.meta.dirname, '../..');
const port = Number(process.env['PORT'] ?? 8787);
const base = `http://127.0.0.1:${port}`;
// No network lookups that a closed machine would fail on: metrics, and the `Request.cf` sample.
const quietEnv = {
  ...process.env,
  // wrangler dev's Miniflare runs workerd with the V8 flags that keep it from wedging (local-workerd.ts).
  ...localWorkerdEnv(),
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_LOG: process.env['WRANGLER_LOG'] ?? 'warn',
};

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: quietEnv });
    child.on('exit', (code) =>
      code === 0 ? ok() : fail(new Error(`${cmd} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

async function waitForHealth(child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the gateway did not answer on ${base}/healthz within ${timeoutMs / 1000}s`);
}

async function main(): Promise<void> {
  const secrets = await ensureLocalSecrets(root);
  console.log('» building the dashboard');
  await run('npx', ['vite', 'build', '--config', 'dashboard/vite.config.ts', '--logLevel', 'warn']);
  console.log('» applying local D1 migrations');
  await run('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local']);
  console.log(`» starting the gateway on ${base}`);
  const child = spawn(
    'npx',
    [
      'wrangler',
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--test-scheduled',
      '--show-interactive-dev-session=false',
    ],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: quietEnv,
    },
  );
  const stop = () => child.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
  await waitForHealth(child, 90_000);

  const policyPath = resolve(process.env['SWITCHYARD_POLICY'] ?? `${root}/src/policy/demo-policy.yaml`);
  console.log(`» loading policy ${policyPath}`);
  const file = await readPolicyFile(policyPath);
  const env = { ...process.env, SWITCHYARD_DEMO_KEY: process.env['SWITCHYARD_DEMO_KEY'] ?? secrets.demoKey };
  const result = await sendPolicy({
    url: base,
    token: secrets.adminToken,
    file,
    secrets: resolveSecrets(file, env),
    dryRun: false,
  });
  console.log(formatChanges(result.changes));
  const demoUsers = await ensureDemoUserSecrets(root);
  await createDemoUsers(base, secrets.adminToken, demoUsers);
  const signIns = demoUsers.map((u) => `  ${u.email} / ${u.password}   (account "${u.account}")`).join('\n');

  console.log(`
Switchyard is running.
  Gateway:    ${base}/v1
  Dashboard:  ${base}/
  Demo key:   ${env.SWITCHYARD_DEMO_KEY}   (account "alice")
  Admin token: ${secrets.adminToken}   (in .dev.vars; root management token)

Sign in to the dashboard (owner of each demo account):
${signIns}

Try it:
  curl ${base}/v1/chat/completions \\
    -H "Authorization: Bearer ${env.SWITCHYARD_DEMO_KEY}" \\
    -H "content-type: application/json" \\
    -d '{"model":"mock-small","messages":[{"role":"user","content":"Hello, Switchyard"}]}'

Usage arrives within seconds:
  curl ${base}/admin/v1/usage/daily -H "Authorization: Bearer ${secrets.adminToken}"
`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
