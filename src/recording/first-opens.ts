import { LRUCache } from 'lru-cache';
import { InFlight } from '../in-flight';
import { isHumanOpen } from '../open/client-detection';
import type { Open } from '../open/open';
import type { FirstOpenStore } from '../storage/ports/first-opens';

export interface FirstOpensOptions {
  /** First opens kept in memory (default 50 000); they never change once recorded. */
  maxCached?: number;
}

const keyOf = (campaignId: string, subscriberId: string): string => `${campaignId}\u0000${subscriberId}`;

/**
 * When each subscriber first opened each campaign as a human: the clock of an
 * evergreen countdown (kinds/countdown, README "Blocks").
 *
 * The database decides (FirstOpenStore.claim, INSERT … ON CONFLICT DO
 * NOTHING), and a claim is awaited, so the JSON of one client and the image
 * of another agree from the very first answer, whichever process serves
 * them. An Apple Mail Privacy Protection prefetch only reads: it fetches at
 * delivery, before anyone reads (docs/ARCHITECTURE.md, "Facts about email
 * clients"), so it must not start anyone's clock. Once known, a first open is
 * served from memory: it never changes.
 */
export class FirstOpens {
  private readonly cache: LRUCache<string, number>;
  private readonly running = new InFlight<string, number | undefined>();

  constructor(
    private readonly store: FirstOpenStore,
    options: FirstOpensOptions = {},
  ) {
    this.cache = new LRUCache({ max: Math.max(1, options.maxCached ?? 50_000) });
  }

  /**
   * The first human open of the open's campaign by its subscriber. A human
   * open with `record` records itself when none is recorded yet, and so never
   * resolves undefined; a prefetch, a generic open (no token) or `record:
   * false` (a preview) only reads.
   */
  async of(open: Pick<Open, 'campaignId' | 'subscriberId' | 'client' | 'now'>, record: boolean): Promise<Date | undefined> {
    const { campaignId, subscriberId } = open;
    if (!campaignId || !subscriberId) return undefined;
    const key = keyOf(campaignId, subscriberId);
    const known = this.cache.get(key);
    if (known !== undefined) return new Date(known);
    const claims = record && isHumanOpen(open.client);
    // One read or write per key at a time in this process; a read does not stand in for a claim.
    const at = await this.running.run(claims ? `claim\u0000${key}` : `get\u0000${key}`, () =>
      claims ? this.store.claim(campaignId, subscriberId, open.now.getTime()) : this.store.get(campaignId, subscriberId),
    );
    if (at === undefined) return undefined;
    this.cache.set(key, at);
    return new Date(at);
  }
}
