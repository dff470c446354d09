import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { getInstance, type Validator } from 'amphtml-validator';
import { packageRoot } from '../package-root';
import { PINNED_AMP_VALIDATOR } from './pinned-engine';

/**
 * The official AMP validator engine (`validator_wasm.js`) behind the
 * `amphtml-validator` wrapper. By default a pinned, checksummed copy taken
 * from the `next` package on npm (docs/ARCHITECTURE.md, "Facts about email clients"), so validation
 * works offline and gives the same answer on every machine. `cdn` opts into
 * the latest engine from https://cdn.ampproject.org (`--latest`, or
 * OPENTIME_AMP_VALIDATOR=cdn).
 */
export type EngineSource = 'pinned' | 'cdn';

export const CDN_ENGINE_URL = 'https://cdn.ampproject.org/v0/validator_wasm.js';

/** Environment variable that selects the engine: `pinned` (default) or `cdn`. */
export const ENGINE_ENV = 'OPENTIME_AMP_VALIDATOR';

export interface EngineMessage {
  severity: 'error' | 'warning';
  /** 1-based. */
  line: number;
  /** 1-based (the engine counts from 0; editors from 1). */
  col: number;
  message: string;
  specUrl: string | null;
  code: string;
}

export interface AmpEngine {
  /** What ran, for the summary line, e.g. "pinned validator_wasm.js from next@15.5.29 (sha256 f1f4629a…)". */
  readonly description: string;
  validateAmp4Email(html: string): EngineMessage[];
}

export class EngineLoadError extends Error {
  override name = 'EngineLoadError';
}

export function engineSourceFromEnv(env: NodeJS.ProcessEnv = process.env): EngineSource {
  const value = (env[ENGINE_ENV] ?? '').trim().toLowerCase();
  if (value === '' || value === 'pinned') return 'pinned';
  if (value === 'cdn' || value === 'latest') return 'cdn';
  throw new EngineLoadError(`${ENGINE_ENV}=${JSON.stringify(env[ENGINE_ENV])} is not understood. Expected "pinned" (default) or "cdn".`);
}

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function pinnedEnginePath(): string {
  return path.join(packageRoot(), PINNED_AMP_VALIDATOR.vendoredPath);
}

/**
 * Refuses an engine file whose bytes are not the pinned ones: a truncated
 * checkout or a hand-edited engine would silently validate differently.
 */
export function verifyPinnedEngine(file: string, expectedSha256: string = PINNED_AMP_VALIDATOR.sha256): void {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new EngineLoadError(
      `Cannot read the pinned AMP validator engine at ${file}: ${(error as Error).message}. ` +
        'Expected the vendored copy described in vendor/amp-validator/SOURCE.md; restore it with git, or refresh it with scripts/update-amp-validator.ts.',
    );
  }
  const actual = sha256Of(bytes);
  if (actual !== expectedSha256) {
    throw new EngineLoadError(
      `The AMP validator engine at ${file} does not match its pinned checksum.\n` +
        `  expected sha256 ${expectedSha256} (${PINNED_AMP_VALIDATOR.package}@${PINNED_AMP_VALIDATOR.version}, ${PINNED_AMP_VALIDATOR.bytes} bytes)\n` +
        `  received sha256 ${actual} (${bytes.length} bytes)\n` +
        'Restore the file with git, or refresh engine and checksum together with scripts/update-amp-validator.ts (see vendor/amp-validator/SOURCE.md).',
    );
  }
}

function wrap(validator: Validator, description: string): AmpEngine {
  return {
    description,
    validateAmp4Email(html: string): EngineMessage[] {
      const result = validator.validateString(html, 'AMP4EMAIL');
      return result.errors.map((error) => ({
        severity: error.severity === 'WARNING' ? 'warning' : 'error',
        line: error.line,
        col: error.col + 1,
        message: error.message,
        specUrl: error.specUrl || null,
        code: error.code,
      }));
    },
  };
}

const loaded = new Map<string, Promise<AmpEngine>>();

/** Loads (once per process and source) the engine; throws EngineLoadError with what to do. */
export function loadEngine(source: EngineSource = 'pinned', options: { pinnedFile?: string } = {}): Promise<AmpEngine> {
  const key = source === 'cdn' ? CDN_ENGINE_URL : (options.pinnedFile ?? pinnedEnginePath());
  let engine = loaded.get(key);
  if (!engine) {
    engine = source === 'cdn' ? loadCdnEngine() : loadPinnedEngine(key);
    // A failed load is not cached: the next call tries again.
    engine.catch(() => loaded.delete(key));
    loaded.set(key, engine);
  }
  return engine;
}

async function loadPinnedEngine(file: string): Promise<AmpEngine> {
  verifyPinnedEngine(file);
  let validator: Validator;
  try {
    validator = await getInstance(file);
  } catch (error) {
    throw new EngineLoadError(`Cannot start the pinned AMP validator engine ${file}: ${(error as Error).message}`);
  }
  const { package: pkg, version, sha256 } = PINNED_AMP_VALIDATOR;
  return wrap(validator, `pinned validator_wasm.js from ${pkg}@${version} (sha256 ${sha256.slice(0, 12)}…)`);
}

async function loadCdnEngine(): Promise<AmpEngine> {
  let validator: Validator;
  try {
    validator = await getInstance(CDN_ENGINE_URL);
  } catch (error) {
    throw new EngineLoadError(
      `Cannot load the latest AMP validator engine from ${CDN_ENGINE_URL}: ${(error as Error).message}. ` +
        `Drop --latest (or unset ${ENGINE_ENV}) to validate offline with the pinned engine.`,
    );
  }
  return wrap(validator, `latest validator_wasm.js from ${CDN_ENGINE_URL}`);
}
