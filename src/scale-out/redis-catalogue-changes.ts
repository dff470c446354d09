import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import { isEmptyChange, parseCatalogueChange, type CatalogueChange, type CatalogueChanges } from './catalogue-changes';
import { connectRedis } from './redis-connection';

/** The Redis channel every node publishes its catalogue writes on. */
export const CATALOGUE_CHANGES_CHANNEL = 'opentime:catalogue-changes';

interface ChangeMessage extends CatalogueChange {
  /** The publishing process, so it does not apply its own change twice. */
  from: string;
}

/**
 * Catalogue changes between every process of every machine, over Redis
 * publish/subscribe (https://redis.io/docs/latest/develop/interact/pubsub/):
 * a write through any node reaches the caches of all of them within a
 * network round trip. Pub/sub delivers at most once and only to who is
 * listening at that moment; a change missed while Redis was away is still
 * seen when the cached entry expires (OPENTIME_FRESHNESS_MS).
 */
export class RedisCatalogueChanges implements CatalogueChanges {
  private readonly processId = randomUUID();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Pick<Logger, 'warn'> | undefined,
  ) {}

  static async connect(url: string, logger?: Pick<Logger, 'warn'>): Promise<RedisCatalogueChanges> {
    const publisher = await connectRedis(url, { purpose: 'publishing catalogue changes', logger, commandTimeoutMs: 1000 });
    try {
      // A connection that subscribes can do nothing else (Redis protocol), hence two.
      const subscriber = await connectRedis(url, { purpose: 'hearing catalogue changes', logger });
      await subscriber.subscribe(CATALOGUE_CHANGES_CHANNEL);
      return new RedisCatalogueChanges(publisher, subscriber, logger);
    } catch (error) {
      publisher.disconnect();
      throw error;
    }
  }

  publish(change: CatalogueChange): void {
    if (this.closing || isEmptyChange(change)) return;
    const message: ChangeMessage = { ...change, from: this.processId };
    this.publisher.publish(CATALOGUE_CHANGES_CHANNEL, JSON.stringify(message)).catch((error: Error) => {
      this.logger?.warn({ err: error.message }, 'a catalogue change was not published; other nodes see it when their cached copies expire');
    });
  }

  subscribe(apply: (change: CatalogueChange) => void): void {
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel !== CATALOGUE_CHANGES_CHANNEL) return;
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        return;
      }
      if ((message as Partial<ChangeMessage> | null)?.from === this.processId) return;
      const change = parseCatalogueChange(message);
      if (change) apply(change);
    });
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await Promise.allSettled([this.subscriber.quit(), this.publisher.quit()]);
    })());
  }
}
