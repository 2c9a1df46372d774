// `--secrets-file`: a dotenv file (`NAME=value`, `export NAME=value`, `#` comments, single or
// double quotes, `\n` inside double quotes). Values are never echoed, not even in parse errors.
export class SecretsFileError extends Error {}

export function parseDotenv(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m?.[1]) throw new SecretsFileError(`${file}:${i + 1}: expected NAME=value`);
    let value = m[2] ?? '';
    const quote = value[0];
    if (quote === '"' || quote === "'") {
      const end = value.indexOf(quote, 1);
      if (end < 0) throw new SecretsFileError(`${file}:${i + 1}: unterminated quote for ${m[1]}`);
      value = value.slice(1, end);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    out[m[1]] = value;
  });
  return out;
}
