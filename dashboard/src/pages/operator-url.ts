// Filters and selections of the operator's screens live in the URL (shareable, back button works).
import { useSearch } from 'wouter';
import { navigate } from 'wouter/use-browser-location';

/** All of the current query, and a setter that replaces some keys ('' removes one). */
export function useQuery(): [URLSearchParams, (changes: Record<string, string>) => void] {
  const params = new URLSearchParams(useSearch());
  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(window.location.search);
    for (const [k, v] of Object.entries(changes)) {
      if (v === '') next.delete(k);
      else next.set(k, v);
    }
    navigate(`${window.location.pathname}${next.size ? `?${next}` : ''}`);
  };
  return [params, set];
}

/** One query parameter as state, with a default when it is absent. */
export function useQueryState(name: string, fallback: string): [string, (value: string) => void] {
  const [params, set] = useQuery();
  return [params.get(name) ?? fallback, (value) => set({ [name]: value })];
}
