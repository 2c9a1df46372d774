#!/usr/bin/env node
// `npx switchyard …`: runs the TypeScript CLI through tsx, which is a runtime dependency of this
// package (not a dev one), so the command works from a fresh `npm install --omit=dev`.
import { tsImport } from 'tsx/esm/api';

await tsImport('../src/cli/switchyard.ts', import.meta.url);
