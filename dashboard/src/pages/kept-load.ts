// A read for the account screens, which reload after every action: while the same read runs again
// its last answer stays on screen (rows keep their notices and focus); a read of something else
// (another account, filter or page) shows loading as usual. `refresh` re-runs the read without
// counting as something else. Same states as useLoad (../load).
import { type DependencyList, useCallback, useEffect, useState } from 'react';
import type { Loaded } from '../load';

export function useKeptLoad<T>(
  fn: () => Promise<T>,
  deps: DependencyList,
  refresh = 0,
): [Loaded<T>, () => void] {
  const key = JSON.stringify(deps);
  const [result, setResult] = useState<{ key: string; loaded: Loaded<T> } | null>(null);
  const [round, setRound] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the read depends on
  useEffect(() => {
    let live = true;
    fn().then(
      (data) => live && setResult({ key, loaded: { state: 'done', data } }),
      (error: unknown) =>
        live &&
        setResult({
          key,
          loaded: { state: 'error', error: error instanceof Error ? error : new Error(String(error)) },
        }),
    );
    return () => {
      live = false;
    };
  }, [key, refresh, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return [result && result.key === key ? result.loaded : { state: 'loading' }, reload];
}
