// One-off codemod for `noPropertyAccessFromIndexSignature`: rewrites every `x.name` that tsc reports
// as TS4111 (a property read through an index signature) into `x['name']`. Re-runnable after a merge:
// `node .ci/fix-index-access.mjs` until tsc reports no TS4111.
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const projects = ['tsconfig.json', 'tsconfig.node.json', 'dashboard/tsconfig.json'];
const hits = new Map();
for (const p of projects) {
  let out = '';
  try {
    execSync(`npx tsc -p ${p}`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    out = e.stdout;
  }
  for (const m of out.matchAll(/^(.+?)\((\d+),(\d+)\): error TS4111: Property '([^']+)'/gm)) {
    const [, file, line, col, name] = m;
    const key = `${file}:${line}:${col}`;
    if (!hits.has(key)) hits.set(key, { file, line: Number(line), col: Number(col), name });
  }
}
const byFile = new Map();
for (const h of hits.values()) byFile.set(h.file, [...(byFile.get(h.file) ?? []), h]);
for (const [file, list] of byFile) {
  const lines = readFileSync(file, 'utf8').split('\n');
  // Right to left, so earlier columns on the same line stay valid.
  list.sort((a, b) => b.line - a.line || b.col - a.col);
  for (const { line, col, name } of list) {
    const text = lines[line - 1];
    const at = col - 1;
    if (text.slice(at, at + name.length) !== name)
      throw new Error(`${file}:${line}:${col}: ${name} not found`);
    const optional = text.slice(at - 2, at) === '?.';
    const start = optional ? at - 2 : at - 1;
    if (!optional && text[at - 1] !== '.') throw new Error(`${file}:${line}:${col}: no dot before ${name}`);
    lines[line - 1] =
      `${text.slice(0, start)}${optional ? '?.' : ''}['${name}']${text.slice(at + name.length)}`;
  }
  writeFileSync(file, lines.join('\n'));
}
console.log(`rewrote ${hits.size} property reads in ${byFile.size} files`);
