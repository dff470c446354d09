import { LRUCache } from 'lru-cache';
import type { Keyring } from './keyring';
import { TokenExpiredError } from './errors';
import { verifySubscriberToken, type SubscriberClaims } from './subscriber-token';

export type VerifyToken = (token: string | undefined, now: Date) => SubscriberClaims;

/**
 * Verifies subscriber tokens, remembering the ones that verified. One email
 * open sends the same token for every block and image in it, so the
 * signature check runs once per open instead of once per block. Safe because
 * the cache key is the whole token, signature included: any change is a miss
 * and a full verification. Expiry is still checked on every use.
 */
export function createTokenVerifier(keyring: Keyring, audience: string, maxEntries = 20_000): VerifyToken {
  const verified = new LRUCache<string, SubscriberClaims>({ max: maxEntries });
  return (token, now) => {
    const cached = token === undefined ? undefined : verified.get(token);
    if (cached) {
      if (cached.expiresAt.getTime() <= now.getTime()) {
        verified.delete(token as string);
        throw new TokenExpiredError(cached.expiresAt);
      }
      return cached;
    }
    const claims = verifySubscriberToken(keyring, token, { audience, now });
    verified.set(token as string, claims);
    return claims;
  };
}
