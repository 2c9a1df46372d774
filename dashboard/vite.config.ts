import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Static build served by the gateway Worker's assets binding (and deployable to Pages as is).
export default defineConfig({
  root: resolve(import.meta.dirname),
  build: { outDir: resolve(import.meta.dirname, 'dist'), emptyOutDir: true },
});
