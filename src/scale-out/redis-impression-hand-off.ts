import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import type { ImpressionHandOff } from '../recording/impression-log';
import type { Impression } from '../storage/ports/impressions';
import { connectRedis } from './redis-connection';

/**
 * How long an impression stays in Redis. It reaches the database within the
 * impression log's flush interval (250 ms) and is read from there ever after;
 * the two minutes only cover a database that is slow to take the batch.
 */
const KEPT_MS = 120_000;
/** A click waits at most this long for Redis before it goes by the database alone. */
const READ_TIMEOUT_MS = 50;

/**
 * Keeps the newer impression only, like the impression store does: two nodes
 * rendering one subscriber's block at once may reach Redis in either order.
 * Times are ISO 8601 in UTC, so they compare as text (storage/ports/impressions.ts).
 */
const SHARE_IF_NEWER = `
local stored = redis.call('GET', KEYS[1])
if stored and cjson.decode(stored).renderedAt > ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
`;

type ShareCommand = (key: string, impression: string, renderedAt: string, keptMs: number) => Promise<number>;

const keyOf = (subscriberId: string, campaignId: string, blockId: string): string =>
  `opentime:impression:${JSON.stringify([subscriberId, campaignId, blockId])}`;

/**
 * What an image render showed, in Redis from the moment it is recorded, so a
 * click that another node serves in the quarter second before the batch is
 * written still opens what the picture showed (docs/ARCHITECTURE.md,
 * "Scale-out"). The command is written to Redis before the picture's answer
 * is, so a click caused by that picture finds it.
 */
export class RedisImpressionHandOff implements ImpressionHandOff {
  private readonly shareIfNewer: ShareCommand;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly redis: Redis,
    private readonly logger: Pick<Logger, 'warn'> | undefined,
  ) {
    redis.defineCommand('opentimeShareImpression', { numberOfKeys: 1, lua: SHARE_IF_NEWER });
    this.shareIfNewer = (redis as unknown as Record<'opentimeShareImpression', ShareCommand>).opentimeShareImpression.bind(redis);
  }

  static async connect(url: string, logger?: Pick<Logger, 'warn'>): Promise<RedisImpressionHandOff> {
    const redis = await connectRedis(url, { purpose: 'impressions between a render and its click', logger, commandTimeoutMs: READ_TIMEOUT_MS });
    // Loaded now, so the first share is one EVALSHA written at once, not a NOSCRIPT round trip that the click could overtake.
    await redis.script('LOAD', SHARE_IF_NEWER);
    return new RedisImpressionHandOff(redis, logger);
  }

  share(impression: Impression): void {
    if (this.closing) return;
    const key = keyOf(impression.subscriberId, impression.campaignId, impression.blockId);
    this.shareIfNewer(key, JSON.stringify(impression), impression.renderedAt, KEPT_MS).catch(() => {
      // Unreachable Redis is logged once by the connection; the batch still reaches the database.
    });
  }

  async latest(subscriberId: string, campaignId: string, blockId: string): Promise<Impression | undefined> {
    if (this.closing) return undefined;
    try {
      const text = await this.redis.get(keyOf(subscriberId, campaignId, blockId));
      return text ? (JSON.parse(text) as Impression) : undefined;
    } catch (error) {
      this.logger?.warn({ err: (error as Error).message }, 'Redis did not answer for an impression; the click goes by the database');
      return undefined;
    }
  }

  close(): Promise<void> {
    return (this.closing ??= this.redis.quit().then(
      () => undefined,
      () => undefined,
    ));
  }
}
