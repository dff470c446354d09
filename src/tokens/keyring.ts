import { createSecretKey, type KeyObject } from 'node:crypto';

/** One HMAC key. `secret` is base64url or base64 text of at least {@link MIN_SECRET_BYTES} bytes. */
export interface SigningKey {
  kid: string;
  secret: string;
}

export interface KeyringConfig {
  keys: SigningKey[];
  activeKid: string;
}

/** HS256 is only as strong as its key; RFC 7518 §3.2 asks for at least the hash size. */
export const MIN_SECRET_BYTES = 32;
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const KID_EXPECTATION = '1 to 64 letters, digits, "_" or "-"';
const BASE64_TEXT = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Config values are quoted so stray whitespace shows; long ones are cut so a pasted secret does not fill the log. */
function quote(value: string): string {
  return JSON.stringify(value.length > 70 ? `${value.slice(0, 64)}…` : value);
}

function checkKid(kid: unknown, where: string): asserts kid is string {
  if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
    const received = typeof kid === 'string' ? quote(kid) : typeof kid;
    throw new Error(`Invalid key id ${where}: expected ${KID_EXPECTATION}; received ${received}.`);
  }
}

/** Never echoes the secret: the messages only describe its shape. */
function decodeSecret(secret: unknown, kid: string): Buffer {
  const expected = `base64url or base64 text encoding at least ${MIN_SECRET_BYTES} random bytes (e.g. the output of \`openssl rand -base64 32\`)`;
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new Error(`Signing key "${kid}" has no secret. Expected ${expected}.`);
  }
  // Buffer.from silently skips characters outside the alphabet, so a passphrase would "decode" to junk.
  if (!BASE64_TEXT.test(secret) || secret.replace(/=+$/, '').length % 4 === 1) {
    throw new Error(`Signing key "${kid}" has a secret that is not base64url or base64 text. Expected ${expected}.`);
  }
  const bytes = Buffer.from(secret, 'base64');
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new Error(`Signing key "${kid}" has a secret of ${bytes.length} bytes. Expected ${expected}.`);
  }
  return bytes;
}

function decodeKeys(keys: readonly SigningKey[]): Map<string, KeyObject> {
  if (keys.length === 0) {
    throw new Error('No signing keys. Expected at least one key as "kid:secret"; received none.');
  }
  const decoded = new Map<string, KeyObject>();
  keys.forEach((key, index) => {
    checkKid(key.kid, `at position ${index + 1}`);
    if (decoded.has(key.kid)) {
      throw new Error(`Duplicate key id "${key.kid}". Expected every signing key to have its own kid.`);
    }
    decoded.set(key.kid, createSecretKey(decodeSecret(key.secret, key.kid)));
  });
  return decoded;
}

/**
 * The keys tokens are signed and verified with. Secrets become KeyObjects
 * once here: jsonwebtoken re-derives a key from a string secret on every
 * verify, which made verification about 40x slower.
 */
export class Keyring {
  readonly activeKid: string;
  readonly kids: readonly string[];
  private readonly keys: ReadonlyMap<string, KeyObject>;

  constructor(config: KeyringConfig) {
    const keys = decodeKeys(config.keys);
    if (!keys.has(config.activeKid)) {
      const known = [...keys.keys()].map((kid) => `"${kid}"`).join(', ');
      throw new Error(`Active key id ${quote(String(config.activeKid))} is not in the keyring. Expected one of: ${known}.`);
    }
    this.keys = keys;
    this.kids = [...keys.keys()];
    this.activeKid = config.activeKid;
  }

  active(): { kid: string; key: KeyObject } {
    // The constructor guarantees the active kid is present.
    return { kid: this.activeKid, key: this.keys.get(this.activeKid) as KeyObject };
  }

  get(kid: string): KeyObject | undefined {
    return this.keys.get(kid);
  }
}

/**
 * Parses the environment format `kid1:secret1,kid2:secret2`. Entries are
 * named by position, never quoted, because they contain secrets.
 */
export function parseSigningKeys(text: string): SigningKey[] {
  const format = '"kid:secret" pairs separated by commas, e.g. "k2025a:<base64url secret>,k2024b:<base64url secret>"';
  if (text.trim() === '') {
    throw new Error(`No signing keys. Expected ${format}; received an empty value.`);
  }
  const keys = text.split(',').map((entry, index): SigningKey => {
    const where = `entry ${index + 1}`;
    const trimmed = entry.trim();
    if (trimmed === '') {
      throw new Error(`Signing key ${where} is empty (check for a doubled or trailing comma). Expected ${format}.`);
    }
    const colon = trimmed.indexOf(':');
    if (colon === -1) {
      throw new Error(`Signing key ${where} has no ":". Expected ${format}.`);
    }
    const kid = trimmed.slice(0, colon).trim();
    const secret = trimmed.slice(colon + 1).trim();
    if (kid === '') {
      throw new Error(`Signing key ${where} has no key id before ":". Expected ${format}.`);
    }
    if (secret === '') {
      throw new Error(`Signing key ${where} has no secret after ":". Expected ${format}.`);
    }
    checkKid(kid, `in signing key ${where}`);
    return { kid, secret };
  });
  // Validate the whole set now so a bad entry is reported while reading the environment.
  decodeKeys(keys);
  return keys;
}
