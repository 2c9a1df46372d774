// The plan as people (and a CI job summary) read it: objects created, changed and deleted, with
// changed fields as before → after; secrets only as the reference they come from; then how the
// effective policy of each existing account and key changes; then what --prune would delete.
import type { PolicyFile } from '../policy/file-schema';
import type { Change, PlanResult } from './policy-client';

const sign = { create: '+', update: '~', delete: '-' } as const;

const shown = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

/** `upstream_key:vllm` → `$VLLM_KEY`: where each secret of the file comes from. */
function secretRefs(file: PolicyFile): Map<string, string> {
  const refs = new Map<string, string>();
  for (const l of file.levels)
    for (const k of l.keys)
      refs.set(`upstream_key:${k.id}`, k.key_env ? `$${k.key_env}` : k.key ? 'inline mock key' : 'none');
  for (const k of file.gateway_keys) refs.set(`gateway_key:${k.id}`, `$${k.key_env}`);
  return refs;
}

function changeLines(c: Change, refs: Map<string, string>): string[] {
  const head = `  ${sign[c.op]} ${c.entity} ${c.id}`;
  const ref = refs.get(`${c.entity}:${c.id}`);
  if (c.op === 'create') return [ref ? `${head} (secret from ${ref})` : head];
  if (c.op === 'delete') return [head];
  const lines = [head];
  for (const d of c.diff ?? []) lines.push(`      ${d.path}: ${shown(d.before)} → ${shown(d.after)}`);
  if (c.fields.some((f) => f === 'fingerprint' || f === 'hash'))
    lines.push(`      secret: changed (now from ${ref ?? 'the file'})`);
  return lines;
}

export function formatPlan(result: PlanResult, file: PolicyFile): string {
  const refs = secretRefs(file);
  const count = (op: Change['op']) => result.changes.filter((c) => c.op === op).length;
  const out: string[] = [];
  if (result.changes.length === 0) out.push('No changes: the gateway already matches the file.');
  else {
    out.push(
      `Plan: ${count('create')} to create, ${count('update')} to change, ${count('delete')} to delete.`,
    );
    out.push('', 'Objects:');
    for (const c of result.changes) out.push(...changeLines(c, refs));
  }
  if (result.effective.length) {
    out.push('', 'Effective policy:');
    for (const e of result.effective) out.push(`  ${e.text}`);
  }
  if (result.unlisted.length) {
    out.push('', 'Not in the file (kept; --prune would delete):');
    for (const u of result.unlisted) out.push(`  ${u.entity} ${u.id}`);
  }
  return out.join('\n');
}
