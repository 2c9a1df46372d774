// `npm run policy -- plan|apply <file>`: shows or applies the diff between a policy file and the
// running gateway. Reads SWITCHYARD_URL and SWITCHYARD_ADMIN_TOKEN (a root management token).
import {
  exportPolicyFile,
  formatChanges,
  PolicyFileError,
  readPolicyFile,
  resolveSecrets,
  sendPolicy,
} from './policy-client';

const usage =
  'usage: npm run policy -- <plan|apply> <policy.yaml> [--url URL]   (token from SWITCHYARD_ADMIN_TOKEN)';

async function main(argv: string[]): Promise<number> {
  const [command, path] = argv;
  const urlFlag = argv.indexOf('--url');
  const url =
    (urlFlag >= 0 ? argv[urlFlag + 1] : undefined) ?? process.env.SWITCHYARD_URL ?? 'http://127.0.0.1:8787';
  const token = process.env.SWITCHYARD_ADMIN_TOKEN;
  if (command === 'export' && token) {
    process.stdout.write(await exportPolicyFile({ url, token }));
    return 0;
  }
  if ((command !== 'plan' && command !== 'apply') || !path) {
    console.error(usage);
    return 2;
  }
  if (!token) {
    console.error('SWITCHYARD_ADMIN_TOKEN is not set');
    return 2;
  }
  const file = await readPolicyFile(path);
  const result = await sendPolicy({
    url,
    token,
    file,
    secrets: resolveSecrets(file, process.env),
    dryRun: command === 'plan',
  });
  console.log(formatChanges(result.changes));
  if (result.applied) console.log(`Applied ${result.changes.length} change(s).`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof PolicyFileError ? err.message : err);
    process.exit(1);
  },
);
