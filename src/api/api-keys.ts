import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** What an ingestion key may do. Subscriber tokens never reach these endpoints. */
/**
 * `reports:read` is for the render-log reports, `campaigns:*` for campaigns (README, "Campaigns"),
 * `blocks:read` for the blocks config as served, `console` for signing in to the web console and
 * every endpoint its pages call (README, "Console"); the others for ingestion (README, "Live data in").
 */
export const apiScopes = [
  'products:write',
  'products:read',
  'subscribers:write',
  'subscribers:read',
  'events:write',
  'reports:read',
  'campaigns:write',
  'campaigns:read',
  'blocks:read',
  'triggers:read',
  'triggers:write',
  'console',
] as const;
export type ApiScope = (typeof apiScopes)[number];

export interface ApiKeyRecord {
  name: string;
  scopes: readonly ApiScope[];
  /** Hex SHA-256 of the key: keys are stored hashed, never in the clear. */
  sha256: string;
}

const KEY_PREFIX = 'otk_';
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key (shown once) and the record to configure, which holds only its hash. */
export function generateApiKey(name: string, scopes: readonly ApiScope[]): { key: string; record: ApiKeyRecord } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, record: { name, scopes, sha256: hashApiKey(key) } };
}

/** The configuration form of a record: `name:scope+scope:sha256`. */
export function formatApiKeyRecord(record: ApiKeyRecord): string {
  return `${record.name}:${record.scopes.join('+')}:${record.sha256}`;
}

/** Scopes as configured: `products:write+events:write`, or `*` for all of them. */
export function parseScopes(text: string, where: string): ApiScope[] {
  if (text === '*') return [...apiScopes];
  const scopes = text.split('+');
  for (const scope of scopes) {
    if (!(apiScopes as readonly string[]).includes(scope)) {
      throw new Error(`${where}: unknown scope "${scope}". Expected some of: ${apiScopes.join(', ')} joined with "+", or "*" for all.`);
    }
  }
  return [...new Set(scopes)] as ApiScope[];
}

/**
 * Parses OPENTIME_API_KEYS: `name:scope+scope:sha256hex,…`. Scopes contain
 * colons themselves ("products:write"), so the name is what precedes the
 * first colon and the hash what follows the last. Entries are named by
 * position in errors (an entry holds a hash, not a secret, but stays short).
 */
export function parseApiKeyRecords(text: string): ApiKeyRecord[] {
  const records = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, index) => {
      const where = `OPENTIME_API_KEYS entry #${index + 1}`;
      const expected = 'Expected name:scope+scope:sha256hex, e.g. "crm:products:write+events:write:<64 hex>" (see `opentime api-key create`).';
      const first = entry.indexOf(':');
      const last = entry.lastIndexOf(':');
      if (first <= 0 || last <= first + 1) throw new Error(`${where} has the wrong shape. ${expected}`);
      const name = entry.slice(0, first);
      const sha256 = entry.slice(last + 1);
      if (!NAME.test(name)) throw new Error(`${where}: name "${name}" must be 1–64 letters, digits, ".", "_" or "-".`);
      if (!HEX_SHA256.test(sha256)) throw new Error(`${where}: expected a SHA-256 of the key as 64 lowercase hex digits after the last ":". ${expected}`);
      return { name, scopes: parseScopes(entry.slice(first + 1, last), where), sha256 };
    });
  const names = new Set<string>();
  for (const record of records) {
    if (names.has(record.name)) throw new Error(`OPENTIME_API_KEYS: duplicate key name "${record.name}".`);
    names.add(record.name);
  }
  return records;
}

/** Looks keys up by hash; a bearer token that is not one of ours (e.g. a subscriber JWT) finds nothing. */
export class ApiKeyring {
  private readonly byHash: ReadonlyMap<string, ApiKeyRecord>;

  constructor(records: readonly ApiKeyRecord[]) {
    this.byHash = new Map(records.map((record) => [record.sha256, record]));
  }

  get size(): number {
    return this.byHash.size;
  }

  /**
   * A map lookup by hash is safe against timing probes: what is compared is
   * the SHA-256 of the presented key, which an attacker cannot steer towards
   * a stored hash byte by byte.
   */
  find(key: string): ApiKeyRecord | undefined {
    if (!key.startsWith(KEY_PREFIX) || key.length > 200) return undefined;
    return this.byHash.get(hashApiKey(key));
  }

  /** The key with this hash, if it is still configured: a console session names its key by hash and is re-checked on every request. */
  findByHash(sha256: string): ApiKeyRecord | undefined {
    return this.byHash.get(sha256);
  }
}

export const DEMO_API_KEY_FILE = 'demo-api-key.txt';

/**
 * Demo mode's all-scopes key, kept in the data directory (mode 0600, like the
 * demo signing keys) so `npm start` can print it on every start and a new user
 * can try the API at once. Production keys are configured as hashes only.
 */
export function loadOrCreateDemoApiKey(dataDir: string): { key: string; record: ApiKeyRecord } {
  const file = path.join(dataDir, DEMO_API_KEY_FILE);
  let key: string;
  try {
    key = fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    // Only a missing file means "first start": an unreadable one must not be silently replaced.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read the demo API key ${file}: ${(error as Error).message}`);
    key = generateApiKey('demo', apiScopes).key;
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  }
  if (!key.startsWith(KEY_PREFIX)) throw new Error(`${file} does not hold an Opentime API key (expected "${KEY_PREFIX}…"). Delete it to make a new one.`);
  return { key, record: { name: 'demo', scopes: apiScopes, sha256: hashApiKey(key) } };
}
