// `switchyard policy validate`: checks a policy file offline, with the schemas the gateway uses and
// the same refusal rules its plan applies (a child wider than its parent, a reference to a level
// that does not exist), and reports every problem with its path in the file and its line.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { isValidTimeZone } from '../lib/time';
import {
  accountFileSchema,
  gatewayKeyFileSchema,
  levelFileSchema,
  type PolicyFile,
  policyFileSchema,
} from '../policy/file-schema';
import { desiredState, type GatewayState, orderParentsFirst, PlanError } from '../policy/plan';
import { filePaths, planRefusals } from '../policy/prune';

export interface FileProblem {
  /** `accounts[3].policy.limits.rpm` */
  path: string;
  line?: number;
  message: string;
}

type Segment = string | number;

/** `["accounts", 3, "policy"]` → `accounts[3].policy`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(seg))) out += out ? `.${String(seg)}` : String(seg);
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out || '(file)';
}

function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/g)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(m[2]);
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

/** Parses YAML or JSON (JSON is YAML) and returns the value plus a way to find a path's line. */
export function parsePolicyText(text: string): {
  value: unknown;
  problems: FileProblem[];
  lineOf: (path: readonly Segment[]) => number | undefined;
} {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const problems = doc.errors.map((e) => ({
    path: '(file)',
    line: e.linePos?.[0]?.line,
    message: e.message.split('\n')[0] ?? e.message,
  }));
  const lineOf = (path: readonly Segment[]) => {
    // The deepest node of the path that exists (a missing field points at its parent).
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return counter.linePos(range[0]).line;
    }
    return undefined;
  };
  return { value: problems.length ? undefined : doc.toJS(), problems, lineOf };
}

/** Positions in the file of the entries a (possibly salvaged) file holds. */
interface Positions {
  accounts: number[];
  gateway_keys: number[];
}

/**
 * The entries of a file that fails the schema which are valid one by one, so the rules below can
 * still run on them: one pass reports schema and rule problems together.
 */
function salvage(value: unknown): { file: PolicyFile; at: Positions } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const raw = value as Record<string, unknown>;
  const valid = <T>(list: unknown, schema: { safeParse(v: unknown): { success: boolean; data?: T } }) => {
    const out: { item: T; index: number }[] = [];
    if (Array.isArray(list))
      list.forEach((v, index) => {
        const r = schema.safeParse(v);
        if (r.success) out.push({ item: r.data as T, index });
      });
    return out;
  };
  const accounts = valid<PolicyFile['accounts'][number]>(raw['accounts'], accountFileSchema);
  const keys = valid<PolicyFile['gateway_keys'][number]>(raw['gateway_keys'], gatewayKeyFileSchema);
  const ids = new Set(accounts.map((a) => a.item.id));
  const gatewayKeys = keys.filter((k) => ids.has(k.item.account));
  return {
    file: {
      version: 1,
      accounts: accounts.map((a) => a.item),
      levels: valid<PolicyFile['levels'][number]>(raw['levels'], levelFileSchema).map((l) => l.item),
      gateway_keys: gatewayKeys.map((k) => k.item),
      prices: [],
    },
    at: { accounts: accounts.map((a) => a.index), gateway_keys: gatewayKeys.map((k) => k.index) },
  };
}

/**
 * The schema's cross-entry checks (unknown parent, unknown account), which zod skips once an entry
 * has a type error; run on the raw document so they are reported in the same pass.
 */
function crossReferences(value: unknown): FileProblem[] {
  const raw = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const list = (v: unknown) => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
  const ids = new Set(list(raw['accounts']).map((a) => a?.['id']));
  const out: FileProblem[] = [];
  for (const [i, a] of list(raw['accounts']).entries())
    if (typeof a?.['parent'] === 'string' && !ids.has(a['parent']))
      out.push({ path: `accounts[${i}].parent`, message: `unknown parent "${a['parent']}"` });
  for (const [i, k] of list(raw['gateway_keys']).entries())
    if (typeof k?.['account'] === 'string' && !ids.has(k['account']))
      out.push({ path: `gateway_keys[${i}].account`, message: `unknown account "${k['account']}"` });
  return out;
}

/** The rules the gateway's plan applies that need no gateway: checked on the file as a new tree. */
function refusalsOf(file: PolicyFile, at: Positions): FileProblem[] {
  const problems: FileProblem[] = [];
  const account = (i: number) => `accounts[${at.accounts[i] ?? i}]`;
  file.accounts.forEach((a, i) => {
    if (a.timezone !== undefined && !isValidTimeZone(a.timezone))
      problems.push({ path: `${account(i)}.timezone`, message: `unknown time zone "${a.timezone}"` });
  });
  const upstreamFingerprints = Object.fromEntries(
    file.levels.flatMap((l) => l.keys.map((k) => [k.id, 'offline'])),
  );
  const gatewayKeys = Object.fromEntries(file.gateway_keys.map((k) => [k.id, { hash: '', prefix: '' }]));
  let desired: GatewayState;
  try {
    desired = desiredState(
      { ...file, accounts: file.accounts.map((a) => ({ ...a, timezone: undefined })) },
      { upstreamFingerprints, gatewayKeys },
    );
    orderParentsFirst(desired.accounts);
  } catch (err) {
    if (err instanceof PlanError) return [...problems, { path: err.path, message: err.message }];
    throw err;
  }
  const paths = filePaths(file, at);
  const empty: GatewayState = { accounts: [], levels: [], upstreamKeys: [], gatewayKeys: [], prices: [] };
  // Orphans need the gateway's state; offline, references are checked against the file below.
  for (const r of planRefusals(empty, desired, paths))
    if (r.kind !== 'orphan') problems.push({ path: r.path, message: r.message });
  const levelIds = new Set(file.levels.map((l) => l.id));
  file.accounts.forEach((a, i) => {
    if (a.level !== undefined && !levelIds.has(a.level))
      problems.push({ path: `${account(i)}.level`, message: `unknown level ${a.level}` });
    for (const [from, to] of Object.entries(a.policy.switch_over ?? {}))
      for (const l of [Number(from), to])
        if (!levelIds.has(l))
          problems.push({
            path: formatPath(['accounts', at.accounts[i] ?? i, 'policy', 'switch_over', from]),
            message: `unknown level ${l}`,
          });
  });
  return problems;
}

/** Every problem of the file at `path`; an empty list means the gateway would accept it. */
export async function validatePolicyFile(
  path: string,
): Promise<{ file?: PolicyFile; problems: FileProblem[] }> {
  const { value, problems, lineOf } = parsePolicyText(await readFile(path, 'utf8'));
  if (problems.length) return { problems };
  const parsed = policyFileSchema.safeParse(value);
  const found: FileProblem[] = [];
  if (parsed.success) {
    const identity = {
      accounts: parsed.data.accounts.map((_, i) => i),
      gateway_keys: parsed.data.gateway_keys.map((_, i) => i),
    };
    found.push(...refusalsOf(parsed.data, identity));
  } else {
    for (const i of parsed.error.issues) found.push({ path: formatPath(i.path), message: i.message });
    found.push(...crossReferences(value).filter((p) => !found.some((f) => f.path === p.path)));
    const partial = salvage(value);
    if (partial) {
      const seen = new Set(found.map((p) => p.path));
      for (const p of refusalsOf(partial.file, partial.at)) if (!seen.has(p.path)) found.push(p);
    }
  }
  for (const p of found) p.line = lineOf(parsePath(p.path));
  return parsed.success && found.length === 0 ? { file: parsed.data, problems: [] } : { problems: found };
}

export function formatProblems(file: string, problems: FileProblem[]): string {
  return problems
    .map((p) => `${file}${p.line === undefined ? '' : `:${p.line}`}: ${p.path}: ${p.message}`)
    .join('\n');
}
