import { InvalidArgumentError } from 'commander';
import { parseTtl } from '../tokens/ttl';

/** A `--ttl` value for commander: parsed once, and a bad one reported as a usage error. */
export function ttlOption(value: string): number {
  try {
    return parseTtl(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
