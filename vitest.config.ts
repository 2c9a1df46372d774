import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig, type Plugin } from 'vitest/config';
import { useLocalWorkerd } from './src/cli/local-workerd';

// The workers pool's Miniflare runs workerd with the V8 flags that keep it from wedging.
useLocalWorkerd();

// The tokenizer's `.tiktoken` table is a Text module in the Worker (wrangler.toml's rules, which the
// workers pool follows too); in Node's unit tests it is the same string as a JS module.
const tiktokenAsText: Plugin = {
  name: 'tiktoken-as-text',
  enforce: 'pre',
  transform(code, id) {
    return id.endsWith('.tiktoken')
      ? { code: `export default ${JSON.stringify(code)};`, map: null }
      : undefined;
  },
};

// Test-only secrets: a fixed, obviously fake KEK and admin token.
const testSecrets = {
  SWITCHYARD_ADMIN_TOKEN: 'sya_test_admin_token',
  SWITCHYARD_KEK: 'dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=',
  SWITCHYARD_KEK_ID: 'test-1',
  SWITCHYARD_SESSION_SECRET: 'test-session-secret-not-for-production-0000000000',
};

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [tiktokenAsText],
        test: {
          name: 'unit',
          environment: 'node',
          include: [
            'src/**/*.test.ts',
            'durable-objects/**/*.test.ts',
            'test/fake-provider/**/*.test.ts',
            'dashboard/src/**/*.test.ts',
            'test/sim/**/*.test.ts',
            'test/conformance/**/*.test.ts',
          ],
        },
      },
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: { ...testSecrets, TEST_MIGRATIONS: await readD1Migrations('./d1-migrations') },
              // Fail closed: the Worker may reach only loopback (the fake provider and its webhook
              // receivers, on 127.0.0.1); any other outbound fetch throws instead of leaving the machine.
              outboundService: { network: { allow: ['127.0.0.1/32'] } },
            },
          })),
        ],
        test: {
          name: 'workers',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['./test/integration/apply-migrations.ts', './test/integration/fail-closed.ts'],
          globalSetup: ['./test/harness/fake-provider-setup.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'browser',
          environment: 'node',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
