import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { loadTriggersConfig } from '../triggers/trigger-config';
import { triggersFileOf } from '../triggers/triggers-from-config';
import type { RunValidateConfigOptions } from './validate-config';

/**
 * `opentime validate --triggers [file]`: checks a triggers file (README
 * "Triggered sends") as the server would load it, templates included,
 * without starting one. The file named, else OPENTIME_TRIGGERS (or the
 * demo's). Prints one OK line per trigger and resolves to 0, or prints every
 * error and resolves to 2, the server's exit code for a config it refuses.
 */
export function runValidateTriggers(file: string | undefined, options: RunValidateConfigOptions = {}): number {
  const cwd = options.cwd ?? process.cwd();
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const target = file === undefined ? triggersFileOf(loadConfig(options.env ?? process.env, cwd)) : path.resolve(cwd, file);
  if (target === undefined) {
    err.write('No triggers file to check: name one (opentime validate --triggers config/triggers.yaml) or set OPENTIME_TRIGGERS.\n');
    return 2;
  }
  try {
    const catalog = loadTriggersConfig(target);
    for (const trigger of catalog.triggers) out.write(`OK ${file ?? target}: ${trigger.id} (when ${trigger.when} → ${trigger.campaign}/${trigger.template})\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    err.write(`${error.message}\n${file ?? target}: refused; the server would not start with this file.\n`);
    return 2;
  }
}
