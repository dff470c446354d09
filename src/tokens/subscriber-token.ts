import jwt from 'jsonwebtoken';
import {
  TokenAlgorithmError,
  TokenAudienceError,
  TokenExpiredError,
  TokenMalformedError,
  TokenMissingError,
  TokenSignatureError,
  TokenUnknownKeyError,
} from './errors';
import { KID_PATTERN, type Keyring } from './keyring';

export interface SubscriberClaims {
  subscriberId: string;
  campaignId: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface SubscriberTokenSubject {
  subscriberId: string;
  campaignId: string;
}

export interface SignSubscriberTokenOptions {
  audience: string;
  /** Defaults to {@link DEFAULT_TTL_SECONDS}. */
  ttlSeconds?: number;
  now?: Date;
}

export interface VerifySubscriberTokenOptions {
  audience: string;
  now?: Date;
}

/** Gmail renders the AMP part for 30 days after sending; one spare day covers late sends and clock skew. */
export const DEFAULT_TTL_SECONDS = 31 * 86_400;
export const MAX_ID_LENGTH = 128;
export const TOKEN_ALGORITHM = 'HS256';

/** Our tokens are ~300 characters; refusing huge input early keeps the hot path cheap. */
const MAX_TOKEN_LENGTH = 4096;
const ALGORITHM_NAME = /^[A-Za-z0-9]{1,16}$/;

/** Only these claims: the token travels in email URLs, so it must carry no personal data. */
interface TokenPayload {
  sub: string;
  cmp: string;
  iat: number;
  exp: number;
  aud: string;
}

export function signSubscriberToken(
  keyring: Keyring,
  subject: SubscriberTokenSubject,
  options: SignSubscriberTokenOptions,
): string {
  checkId(subject.subscriberId, 'subscriber id');
  checkId(subject.campaignId, 'campaign id');
  if (typeof options.audience !== 'string' || options.audience === '') {
    throw new Error('Invalid token audience: expected a non-empty string such as the server\'s public URL.');
  }
  const ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isSafeInteger(ttl) || ttl <= 0) {
    throw new Error(`Invalid token TTL: expected a positive whole number of seconds; received ${String(ttl)}.`);
  }
  const iat = toSeconds(options.now);
  const payload: TokenPayload = {
    sub: subject.subscriberId,
    cmp: subject.campaignId,
    iat,
    exp: iat + ttl,
    aud: options.audience,
  };
  const { kid, key } = keyring.active();
  return jwt.sign(payload, key, { algorithm: TOKEN_ALGORITHM, keyid: kid });
}

/**
 * Runs on every email open. Only the header is decoded up front, to choose
 * the key and to refuse any algorithm but HS256 before the signature is
 * looked at; jsonwebtoken then verifies against the pre-built KeyObject.
 */
export function verifySubscriberToken(
  keyring: Keyring,
  token: string | undefined,
  options: VerifySubscriberTokenOptions,
): SubscriberClaims {
  if (token === undefined || token === '') throw new TokenMissingError();
  if (typeof token !== 'string') throw new TokenMalformedError('not a string');
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenMalformedError(`longer than ${MAX_TOKEN_LENGTH} characters`);

  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenMalformedError(`${parts.length} dot-separated parts instead of 3`);
  const header = decodeHeader(parts[0] ?? '');

  const alg = header.alg;
  if (alg !== TOKEN_ALGORITHM) {
    throw new TokenAlgorithmError(typeof alg === 'string' && ALGORITHM_NAME.test(alg) ? alg : undefined);
  }
  const kid = header.kid;
  if (typeof kid !== 'string') throw new TokenUnknownKeyError(undefined);
  const key = keyring.get(kid);
  if (!key) throw new TokenUnknownKeyError(KID_PATTERN.test(kid) ? kid : undefined);

  let payload: unknown;
  try {
    payload = jwt.verify(token, key, {
      algorithms: [TOKEN_ALGORITHM],
      audience: options.audience,
      clockTimestamp: toSeconds(options.now),
    });
  } catch (error) {
    throw translateVerifyError(error, options.audience);
  }
  return toClaims(payload);
}

function decodeHeader(encoded: string): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch (error) {
    throw new TokenMalformedError('the header is not base64url-encoded JSON', { cause: error });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new TokenMalformedError('the header is not a JSON object');
  }
  return header as Record<string, unknown>;
}

function translateVerifyError(error: unknown, audience: string): Error {
  // Subclasses first: both extend JsonWebTokenError.
  if (error instanceof jwt.TokenExpiredError) return new TokenExpiredError(error.expiredAt, { cause: error });
  if (error instanceof jwt.NotBeforeError) return new TokenMalformedError('it is not valid yet', { cause: error });
  if (error instanceof jwt.JsonWebTokenError) {
    if (error.message === 'invalid signature') return new TokenSignatureError({ cause: error });
    if (error.message.startsWith('jwt audience invalid')) return new TokenAudienceError(audience, { cause: error });
    if (error.message === 'invalid algorithm') return new TokenAlgorithmError(undefined);
    return new TokenMalformedError('it could not be decoded', { cause: error });
  }
  // jws can throw plain errors on odd input; a bad token must not become a 500.
  return new TokenMalformedError('it could not be decoded', { cause: error });
}

function toClaims(payload: unknown): SubscriberClaims {
  if (typeof payload !== 'object' || payload === null) throw new TokenMalformedError('the payload is not a JSON object');
  const { sub, cmp, iat, exp } = payload as Partial<Record<keyof TokenPayload, unknown>>;
  if (typeof sub !== 'string' || sub === '') throw new TokenMalformedError('the "sub" claim is missing');
  if (typeof cmp !== 'string' || cmp === '') throw new TokenMalformedError('the "cmp" claim is missing');
  if (typeof iat !== 'number') throw new TokenMalformedError('the "iat" claim is missing');
  // jsonwebtoken skips the expiry check when there is no exp; we never issue such tokens.
  if (typeof exp !== 'number') throw new TokenMalformedError('the "exp" claim is missing');
  return { subscriberId: sub, campaignId: cmp, issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) };
}

function checkId(value: unknown, label: string): void {
  // Never echo the value: ids can be email addresses.
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    const received = typeof value === 'string' ? `${value.length} characters` : typeof value;
    throw new Error(`Invalid ${label}: expected a non-empty string of at most ${MAX_ID_LENGTH} characters; received ${received}.`);
  }
}

function toSeconds(now: Date | undefined): number {
  const ms = now === undefined ? Date.now() : now.getTime();
  if (!Number.isFinite(ms)) throw new Error('Invalid "now": expected a valid Date.');
  return Math.floor(ms / 1000);
}
