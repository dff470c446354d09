import fs from 'node:fs';
import path from 'node:path';
import { checkBlocksConfig } from '../blocks/blocks-config';
import { loadConfig } from '../config';

export interface RunValidateConfigOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

/**
 * `opentime validate --config [file]`: checks a blocks config (its blocks,
 * messages and placeholders, rules and facts, themes) as the server would
 * load it, without starting one. The file named, else OPENTIME_BLOCKS (or
 * the default). Prints one OK line per block and resolves to 0, or prints
 * every error and resolves to 2, the server's exit code for a config it
 * refuses.
 */
export function runValidateConfig(file: string | undefined, options: RunValidateConfigOptions = {}): number {
  const cwd = options.cwd ?? process.cwd();
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const target = file === undefined ? loadConfig(options.env ?? process.env, cwd).blocksFile : path.resolve(cwd, file);
  const origin = file ?? target;
  let text: string;
  try {
    text = fs.readFileSync(target, 'utf8');
  } catch (error) {
    err.write(`Cannot read the blocks config ${origin}: ${(error as Error).message}\n`);
    return 2;
  }
  const { catalog, errors } = checkBlocksConfig(text, origin);
  if (errors.length > 0) {
    err.write(`${errors.join('\n')}\n${origin}: ${errors.length} block${errors.length === 1 ? '' : 's'} refused; the server would not start with this file (a reload would keep the previous config).\n`);
    return 2;
  }
  for (const block of catalog.values()) out.write(`OK ${origin}: ${block.config.id} (${block.kind.name})\n`);
  return 0;
}
