#!/usr/bin/env node
// Checks package-lock.json before `npm ci` reads it. It needs nothing installed, so .ci/run can
// call it on a clean clone, and `npm run check` calls it on every `npm test`.
//
// Why: a lock whose entries lack `version` (as an older workaround wrote for other platforms'
// optional binaries) makes `npm ci` and `npm install` die with "Invalid Version:" on a fresh
// machine, with nothing pointing at the cause. Every problem found is printed, not just the first.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const problems = [];

if (lock.lockfileVersion !== 3) problems.push(`lockfileVersion is ${lock.lockfileVersion}, expected 3`);

const packages = lock.packages ?? {};
const top = packages[''] ?? {};
// The lock's root entry must repeat package.json's dependency specs exactly: that is what
// `npm ci` compares, and a mismatch means someone edited one file without the other.
for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
  const want = pkg[field] ?? {};
  const have = top[field] ?? {};
  for (const name of new Set([...Object.keys(want), ...Object.keys(have)])) {
    if (want[name] !== have[name]) {
      problems.push(
        `${field}.${name}: package.json says ${want[name] ?? '(absent)'}, the lock says ${have[name] ?? '(absent)'}`,
      );
    } else if (!packages[`node_modules/${name}`]) {
      problems.push(`${field}.${name} has no node_modules/${name} entry in the lock`);
    }
  }
}

for (const [path, entry] of Object.entries(packages)) {
  if (path === '' || entry.link) continue;
  if (!entry.version) problems.push(`${path}: no version`);
  // Bundled packages ship inside their parent's tarball, so they carry no hash of their own.
  // `resolved` is not required: npm leaves it out when omit-lockfile-registry-resolved is set.
  if (!entry.inBundle && !entry.integrity) problems.push(`${path}: no integrity hash`);
}

if (problems.length > 0) {
  console.error(`package-lock.json has ${problems.length} problem(s):`);
  for (const p of problems) console.error(`  - ${p}`);
  console.error(
    "Regenerate it with the machine's npm: `npm install` (or `npm install --package-lock-only`), then commit it.",
  );
  process.exit(1);
}
console.log(
  `package-lock.json: ${Object.keys(packages).length - 1} entries, all with version and integrity; in step with package.json`,
);
