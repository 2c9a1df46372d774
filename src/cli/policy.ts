// `switchyard policy plan|apply|export|validate`: policy as code from a terminal or CI (policy as code).
// Exit codes: 0 done (plan: no changes), 2 plan has changes, 1 any error (invalid file, refused
// plan, gateway unreachable, bad arguments).
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseDotenv, SecretsFileError } from './dotenv';
import { formatPlan } from './plan-format';
import {
  exportPolicyFile,
  PolicyFileError,
  readPolicyFile,
  resolveSecrets,
  sendPolicy,
} from './policy-client';
import { formatProblems, validatePolicyFile } from './validate';

export const exitCodes = { ok: 0, error: 1, changes: 2 } as const;

const connection = `  --url URL            gateway origin (default: $SWITCHYARD_URL, else http://127.0.0.1:8787)
  --token TOKEN        root management token (default: $SWITCHYARD_ADMIN_TOKEN; prefer the
                       variable: a flag is visible in the process list)`;
const secrets = `  --secrets-file FILE  dotenv file with the secrets key_env names, and optionally
                       SWITCHYARD_ADMIN_TOKEN; may be repeated (later files win; files win
                       over the environment); secrets are never printed`;

export const commandHelp: Record<string, string> = {
  plan: `usage: switchyard policy plan <policy.yaml> [--prune] [--url URL] [--token TOKEN] [--secrets-file FILE]

Shows what apply would do, without writing: objects created, changed and deleted (secrets only as
their key_env reference), how the effective policy of each account and key changes, and what the
file no longer lists. Refuses, naming the field and layer, a plan that widens a child beyond its
parent or orphans a subtree.

${connection}
${secrets}
  --prune              also plan deleting what the file no longer lists
  --out FILE           also write the plan to FILE (e.g. for a CI job summary)

Exit: 0 no changes, 2 changes, 1 error.`,
  apply: `usage: switchyard policy apply <policy.yaml> [--prune] [--url URL] [--token TOKEN] [--secrets-file FILE]

Plans, then writes the plan in one transaction: a run cut short writes nothing, and the next run
converges. Without --prune nothing is deleted.

${connection}
${secrets}
  --prune              delete what the file no longer lists (shown in plan first)

Exit: 0 applied (or nothing to do), 1 error.`,
  export: `usage: switchyard policy export [--url URL] [--token TOKEN] [--out FILE]

Writes the running gateway as a policy file (YAML). Secrets are references (key_env), never
values; gateway keys are left out (their keys cannot be recovered).

${connection}
  --out FILE           write to FILE instead of standard output

Exit: 0 written, 1 error.`,
  validate: `usage: switchyard policy validate <policy.yaml>...

Checks files offline (no gateway, no secrets) with the gateway's own schemas and rules, and lists
every problem with its path in the file and its line.

Exit: 0 valid, 1 problems found.`,
};

export const policyHelp = `usage: switchyard policy <command> [options]

Commands:
  validate <file>   check a policy file offline
  plan <file>       show the changes apply would make (exit 2 when there are some)
  apply <file>      make the gateway match the file
  export            the running gateway as a policy file

Run \`switchyard policy <command> --help\` for a command's options.`;

const options = {
  url: { type: 'string' },
  token: { type: 'string' },
  'secrets-file': { type: 'string', multiple: true },
  prune: { type: 'boolean' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which options each command takes (the CI example's test checks its flags against this). */
export const commandOptions: Record<string, (keyof typeof options)[]> = {
  plan: ['url', 'token', 'secrets-file', 'prune', 'out', 'help'],
  apply: ['url', 'token', 'secrets-file', 'prune', 'help'],
  export: ['url', 'token', 'out', 'help'],
  validate: ['help'],
};

class UsageError extends Error {}

export async function runPolicy(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(policyHelp);
    return command ? exitCodes.ok : exitCodes.error;
  }
  const allowed = commandOptions[command];
  if (!allowed) throw new UsageError(`unknown command "${command}"\n\n${policyHelp}`);
  const { values, positionals } = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  if (values.help) {
    console.log(commandHelp[command]);
    return exitCodes.ok;
  }
  const extra = Object.keys(values).filter((k) => !allowed.includes(k as keyof typeof options));
  if (extra.length)
    throw new UsageError(`${command} does not take --${extra.join(', --')}\n\n${commandHelp[command]}`);

  if (command === 'validate') {
    if (positionals.length === 0) throw new UsageError(commandHelp['validate'] ?? '');
    let bad = false;
    for (const path of positionals) {
      const { problems } = await validatePolicyFile(path);
      if (problems.length) {
        bad = true;
        console.error(`${path}: ${problems.length} problem(s)\n${formatProblems(path, problems)}`);
      } else console.log(`${path}: valid`);
    }
    return bad ? exitCodes.error : exitCodes.ok;
  }

  if (positionals.length !== (command === 'export' ? 0 : 1)) throw new UsageError(commandHelp[command] ?? '');
  // Several files may be given (say, the deploy's and the upstream keys'); later ones win.
  const fromFile: Record<string, string> = {};
  for (const f of values['secrets-file'] ?? [])
    Object.assign(fromFile, parseDotenv(await readFile(f, 'utf8'), f));
  const url = values.url ?? env['SWITCHYARD_URL'] ?? 'http://127.0.0.1:8787';
  const token = values.token ?? fromFile['SWITCHYARD_ADMIN_TOKEN'] ?? env['SWITCHYARD_ADMIN_TOKEN'];
  if (!token)
    throw new UsageError('no token: pass --token, set SWITCHYARD_ADMIN_TOKEN, or put it in --secrets-file');

  if (command === 'export') {
    const text = await exportPolicyFile({ url, token });
    if (values.out) await writeFile(values.out, text);
    else process.stdout.write(text);
    return exitCodes.ok;
  }

  const file = await readPolicyFile(positionals[0] as string);
  const result = await sendPolicy({
    url,
    token,
    file,
    secrets: resolveSecrets(file, { ...env, ...fromFile }),
    dryRun: command === 'plan',
    prune: values.prune ?? false,
  });
  const text = formatPlan(result, file);
  console.log(text);
  if (values.out) await writeFile(values.out, `${text}\n`);
  if (command === 'plan') return result.changes.length ? exitCodes.changes : exitCodes.ok;
  if (result.applied) console.log(`\nApplied ${result.changes.length} change(s).`);
  return exitCodes.ok;
}

/** Prints an error the way CI logs want it (no stack for expected failures) and returns exit 1. */
export function reportError(err: unknown): number {
  const known =
    err instanceof PolicyFileError ||
    err instanceof UsageError ||
    err instanceof SecretsFileError ||
    (err instanceof Error &&
      'code' in err &&
      typeof err.code === 'string' &&
      err.code.startsWith('ERR_PARSE_ARGS'));
  if (known) console.error(`error: ${(err as Error).message}`);
  else if (err instanceof Error && 'code' in err && err.code === 'ENOENT')
    console.error(`error: ${err.message}`);
  else console.error(err);
  return exitCodes.error;
}
