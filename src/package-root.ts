import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The directory holding Opentime's package.json, found by walking up from this
 * file, so paths to amp-templates/ and vendor/ work from src/ (ts-jest) and
 * from dist/src/ (the built CLI) alike.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'opentime') return (cached = dir);
      } catch {
        // Not ours (or unreadable): keep walking up.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find Opentime's package.json above ${__dirname}.`);
    dir = parent;
  }
}
