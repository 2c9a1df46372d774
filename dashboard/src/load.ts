// One async read per screen section: loading, error and data, re-run when `deps` change.
import { type DependencyList, useCallback, useEffect, useState } from 'react';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: Error } | { state: 'done'; data: T };

export function useLoad<T>(fn: () => Promise<T>, deps: DependencyList): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the read depends on
  useEffect(() => {
    let live = true;
    setResult({ state: 'loading' });
    fn().then(
      (data) => live && setResult({ state: 'done', data }),
      (error: unknown) =>
        live &&
        setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return [result, reload];
}
