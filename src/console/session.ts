import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, ApiKeyring } from '../api/api-keys';
import type { Keyring } from '../tokens/keyring';

export const SESSION_COOKIE = 'opentime_console';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** What a signed session says: which API key signed in, until when, and which signing key vouches for it. */
interface SessionClaims {
  /** SHA-256 of the API key (never the key): re-checked against the configured keys on every request. */
  key: string;
  /** Epoch milliseconds. */
  exp: number;
  kid: string;
}

/**
 * The console session is a stateless signed cookie: every process of a
 * cluster (and every machine sharing the signing keys) accepts it, and no
 * session table is needed. The HMAC key is derived from a token signing key
 * with a fixed label, so a session can never pass for a subscriber token nor
 * the other way round. Removing the API key from OPENTIME_API_KEYS ends its
 * sessions at the next request (the hash no longer finds a key); removing
 * the signing key ends them too.
 */
export function createSession(record: ApiKeyRecord, keyring: Keyring, now: Date): string {
  const { kid } = keyring.active();
  const claims: SessionClaims = { key: record.sha256, exp: now.getTime() + SESSION_TTL_MS, kid };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(keyring, kid, payload)}`;
}

/** The API key a cookie signs in as, or undefined when it is forged, expired, or its key is gone or lost the `console` scope. */
export function verifySession(cookie: string | undefined, keyring: Keyring, apiKeys: ApiKeyring, now: Date): ApiKeyRecord | undefined {
  if (!cookie || cookie.length > 1024) return undefined;
  const [payload, signature, extra] = cookie.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  let claims: SessionClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionClaims;
  } catch {
    return undefined;
  }
  if (typeof claims.kid !== 'string' || typeof claims.key !== 'string' || typeof claims.exp !== 'number') return undefined;
  const expected = mac(keyring, claims.kid, payload);
  if (!expected || !sameText(expected, signature)) return undefined;
  if (claims.exp <= now.getTime()) return undefined;
  const record = apiKeys.findByHash(claims.key);
  return record?.scopes.includes('console') ? record : undefined;
}

function mac(keyring: Keyring, kid: string, payload: string): string | undefined {
  const signingKey = keyring.get(kid);
  if (!signingKey) return undefined;
  const sessionKey = createHmac('sha256', signingKey).update('opentime console session v1').digest();
  return createHmac('sha256', sessionKey).update(payload).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
