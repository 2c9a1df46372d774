// Light and dark themes: CSS variables switched by <html data-theme>, remembered per browser;
// the first visit follows the system setting.
import { useCallback, useState } from 'react';

export type Theme = 'light' | 'dark';
const THEME_KEY = 'switchyard.theme';

function initialTheme(): Theme {
  const saved = localStorage.getItem(THEME_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Set before React renders with the new theme, so charts (which read the variables) redraw right. */
function apply(theme: Theme): Theme {
  document.documentElement.dataset['theme'] = theme;
  return theme;
}

export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setState] = useState<Theme>(() => apply(initialTheme()));
  const setTheme = useCallback((next: Theme) => {
    localStorage.setItem(THEME_KEY, apply(next));
    setState(next);
  }, []);
  return [theme, setTheme];
}

/** A CSS variable's current value (charts draw on a canvas and need real colours). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
