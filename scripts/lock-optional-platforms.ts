/**
 * `npm run lock:platforms` — run after changing dependencies.
 *
 * The registry this project installs from does not serve every platform's
 * prebuilt binary (e.g. @napi-rs/canvas-darwin-x64 answers 404), so npm leaves
 * those optional packages out of package-lock.json — and then `npm ci`
 * refuses the lockfile as out of sync. This adds a stub entry (version,
 * optional) for each missing optional dependency: `npm ci` accepts the lock,
 * and skips the binaries it cannot fetch or does not need, as it does for any
 * optional package. test/lockfile.test.ts fails when this step was forgotten.
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/package-root';

interface LockEntry {
  version?: string;
  optional?: boolean;
  dev?: boolean;
  optionalDependencies?: Record<string, string>;
}

export function missingOptionalEntries(packages: Record<string, LockEntry>): Map<string, LockEntry> {
  const missing = new Map<string, LockEntry>();
  for (const entry of Object.values(packages)) {
    for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
      const key = `node_modules/${name}`;
      if (packages[key] || missing.has(key)) continue;
      missing.set(key, { version: range, optional: true, ...(entry.dev ? { dev: true } : {}) });
    }
  }
  return missing;
}

function main(): void {
  const file = path.join(packageRoot(), 'package-lock.json');
  const lock = JSON.parse(fs.readFileSync(file, 'utf8')) as { packages: Record<string, LockEntry> };
  const missing = missingOptionalEntries(lock.packages);
  for (const [key, stub] of missing) lock.packages[key] = stub;
  // Keys in order, as npm writes them, so the diff stays small.
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
  fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  process.stdout.write(`package-lock.json: added ${missing.size} optional platform entries\n`);
}

if (require.main === module) main();
