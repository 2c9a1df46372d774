// The `switchyard` command (package.json `bin`): `switchyard policy …`. Started by bin/switchyard.mjs.
import { policyHelp, reportError, runPolicy } from './policy';

const help = `usage: switchyard <command>

Commands:
  policy   policy as code: validate, plan, apply, export (\`switchyard policy --help\`)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'policy') return runPolicy(rest, process.env);
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(`${help}\n${policyHelp}`);
    return 0;
  }
  console.error(command ? `unknown command "${command}"\n\n${help}` : help);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportError(err);
  },
);
