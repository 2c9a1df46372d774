// Vite's import.meta.glob, which Vitest resolves at build time; only the conformance suite uses it
// (to load test/fixtures/providers without node:fs, which the Worker tsconfig has no types for).
interface ImportMeta {
  glob(
    pattern: string | string[],
    options?: { query?: string; import?: string; eager?: boolean },
  ): Record<string, unknown>;
}
