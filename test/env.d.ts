// Test-only bindings and values handed from Vitest's global setup into the Workers pool.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
  }
}

declare module 'vitest' {
  interface ProvidedContext {
    fakeProviderUrl: string;
  }
}
