import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { SubscriberClaims } from '../tokens/subscriber-token';
import type { FormLimits } from './forms-config';

/**
 * How often one reader (token's subscriber and campaign) and one client
 * address may submit forms: per minute, all forms together. In memory by
 * default (per process); on Redis when the server has one
 * (OPENTIME_REDIS_URL), so the limit holds across processes and nodes.
 * A Redis that does not answer lets the submission through (the insurance
 * limiter is the memory one): forms stay usable through an outage.
 */
export interface FormRateLimits {
  /** Resolves undefined when allowed, or the seconds to wait. */
  consume(key: { token?: string; address?: string }): Promise<number | undefined>;
}

/** The `token` key of one reader: the token's campaign and subscriber, so posts and link votes share one limit. */
export function readerKey(claims: Pick<SubscriberClaims, 'campaignId' | 'subscriberId'>): string {
  return `${claims.campaignId}\u0000${claims.subscriberId}`;
}

export function formRateLimits(limits: Pick<FormLimits, 'perTokenPerMinute' | 'perAddressPerMinute'>, redis?: Redis): FormRateLimits {
  const make = (prefix: string, points: number): RateLimiterAbstract => {
    const options = { keyPrefix: `opentime-forms-${prefix}`, points, duration: 60 };
    return redis ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) }) : new RateLimiterMemory(options);
  };
  const byToken = make('token', limits.perTokenPerMinute);
  const byAddress = make('address', limits.perAddressPerMinute);
  return {
    async consume(key) {
      try {
        if (key.address !== undefined) await byAddress.consume(key.address);
        if (key.token !== undefined) await byToken.consume(key.token);
        return undefined;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw rejection;
      }
    },
  };
}
