// Values Vitest's global setup (Node) hands to the tests (workerd) through provide/inject.
export {};

declare module 'vitest' {
  interface ProvidedContext {
    fakeProviderUrl: string;
  }
}
