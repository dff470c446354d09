import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

export const ROOT = path.join(__dirname, '..', '..');
/** The public URL the CLI commands write into emails and CSV columns. */
export const BASE = 'https://opentime.shop.example';

/** A stream that keeps what was written, for a command's stdout or stderr. */
export function textSink(): Writable & { text: () => string; isTTY?: boolean } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  }) as Writable & { text: () => string };
  stream.text = () => text;
  return stream;
}

/**
 * A temporary data directory and the environment a CLI command reads, as a
 * user's shell would set it; registers its own cleanup with jest.
 */
export function cliEnvironment(prefix: string): { dir: () => string; env: () => NodeJS.ProcessEnv } {
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    env = {
      OPENTIME_DATA_DIR: path.join(dir, 'data'),
      OPENTIME_PUBLIC_URL: BASE,
      OPENTIME_BLOCKS: path.join(ROOT, 'config', 'blocks.yaml'),
      OPENTIME_DEMO: 'true',
    };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return { dir: () => dir, env: () => env };
}
