import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

// Static build served by the gateway Worker's assets binding (and deployable to Pages as is).
// Before bundling, the admin API's types are generated from its OpenAPI document.
export default defineConfig({
  root: here,
  plugins: [
    {
      name: 'switchyard-openapi-types',
      buildStart() {
        execFileSync(
          'npx',
          [
            'tsx',
            '--import',
            './dashboard/scripts/cloudflare-stub.mjs',
            'dashboard/scripts/openapi-types.ts',
          ],
          { cwd: resolve(here, '..'), stdio: 'inherit' },
        );
      },
    },
  ],
  // React's API on Preact's runtime (preact/compat): the same components, a third of the bytes.
  resolve: {
    alias: {
      'react/jsx-runtime': 'preact/jsx-runtime',
      'react-dom/client': 'preact/compat/client',
      'react-dom': 'preact/compat',
      react: 'preact/compat',
    },
  },
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: resolve(here, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
  },
});
