// Upstream base URLs as operators write them: with or without the API version segment.

/** `base` without trailing slashes, with `/<version>` appended unless it already ends in a version. */
export function withVersion(base: string, version: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return /\/v\d+(?:(?:alpha|beta)\d*)?$/.test(trimmed) ? trimmed : `${trimmed}/${version}`;
}
