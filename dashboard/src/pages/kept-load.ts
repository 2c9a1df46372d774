// useLoad for the account screens, which reload after every action: while the same read runs
// again the last answer stays on screen (rows keep their notices and focus); a read of something
// else (another account, filter or page) shows loading as usual. `refresh` re-runs the read
// without counting as something else.
import { type DependencyList, useRef } from 'react';
import { type Loaded, useLoad } from '../load';

export function useKeptLoad<T>(
  fn: () => Promise<T>,
  deps: DependencyList,
  refresh = 0,
): [Loaded<T>, () => void] {
  const [loaded, reload] = useLoad(fn, [...deps, refresh]);
  const last = useRef<{ key: string; loaded: Loaded<T> } | null>(null);
  const key = JSON.stringify(deps);
  if (loaded.state !== 'loading') last.current = { key, loaded };
  const kept = loaded.state === 'loading' && last.current?.key === key ? last.current.loaded : loaded;
  return [kept, reload];
}
