import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Standalone config so the fake provider's own tests run without the root vitest setup
// (which targets the Workers pool): `npx vitest run --config test/fake-provider/vitest.config.ts`.
export default defineConfig({
  // Keep Vite's cache in the repository's node_modules rather than creating one in this folder.
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite/fake-provider', import.meta.url)),
  test: {
    root: import.meta.dirname,
    environment: 'node',
    include: ['**/*.test.ts'],
    testTimeout: 15_000,
  },
});
