import fs from 'node:fs';
import YAML from 'yaml';
import { ConfigError } from './config';

/**
 * The blocks, forms and campaigns configs (OPENTIME_BLOCKS, OPENTIME_FORMS,
 * OPENTIME_CAMPAIGNS) are read and parsed alike, so a file that cannot be
 * read, or is not YAML or JSON, is reported the same way for each.
 */

/** The file's text and modification time; throws ConfigError naming the file and the setting that named it. */
export function readDeclarationsFile(file: string, what: string, setting: string): { text: string; modifiedAt: Date } {
  try {
    return { text: fs.readFileSync(file, 'utf8'), modifiedAt: fs.statSync(file).mtime };
  } catch (error) {
    throw new ConfigError(`Cannot read the ${what} ${file} (${setting}): ${(error as Error).message}`);
  }
}

/** YAML (JSON is YAML too) parsed; throws ConfigError naming `origin`. */
export function parseDeclarations(text: string, origin: string): unknown {
  try {
    return YAML.parse(text);
  } catch (error) {
    throw new ConfigError(`${origin}: not valid YAML or JSON: ${(error as Error).message}`);
  }
}
