import type { Product } from '../data/model';
import type { IdentityStore } from '../storage/ports/identity';
import type { NotifyRequestStore } from '../storage/ports/notify-requests';
import type { TriggerJobOp, TriggerJobStore, TriggerJobsApplied } from '../storage/ports/trigger-jobs';
import type { TriggersCatalog } from './trigger-config';
import { planTriggerJobs, type TriggeringEvent } from './trigger-planner';
import { backInStockRecipients, planCatalogueJobs, priceDropped, priceDropRecipients } from './catalogue-triggers';

/** What the intake reads to know whom a trigger is for. */
export interface TriggerIntakeReads {
  identity: Pick<IdentityStore, 'subscriberIdsFor' | 'viewersOf'>;
  notifyRequests: Pick<NotifyRequestStore, 'list'>;
}

/** Most notify-me requests one restock reads back (a product's requests, oldest first). */
const MAX_RESTOCK_REQUESTS = 100_000;

/**
 * Where POST /api/v1/events hands the events it accepted (README "Triggered
 * sends"). The jobs are written right after the events' transaction commits
 * and before the 2xx, in one transaction of their own. Replayed events
 * (duplicates) are planned again: job ids derive from event ids, so this
 * enqueues nothing twice, and a request whose first try committed the events
 * but died before the jobs gets them on the sender's retry (at-least-once).
 * Stale events (an older cart change) start and cancel nothing. An
 * anonymous shopper's event acts for the subscriber its anonymous id is
 * linked to (docs/ARCHITECTURE.md, "Identity"), read after the commit so an
 * `identify` earlier in the same batch counts; an unlinked one acts for nobody.
 */
export class TriggerIntake {
  /** Whether any trigger is configured: without one, accepted events plan nothing. */
  private readonly active: boolean;
  /** Whether a trigger starts on catalogue changes: only then do product patches read the products before and after. */
  readonly watchesCatalogue: boolean;

  constructor(
    private readonly jobs: Pick<TriggerJobStore, 'apply'>,
    private readonly catalog: TriggersCatalog,
    private readonly reads: TriggerIntakeReads,
    private readonly clock: () => number = Date.now,
  ) {
    // Fixed with the catalog at start-up, so not worked out again on every API batch.
    this.active = catalog.triggers.length > 0;
    this.watchesCatalogue = catalog.triggers.some((trigger) => trigger.when === 'back_in_stock' || trigger.when === 'price_drop');
  }

  /**
   * After a batch of product patches committed at `at` (README "Triggered
   * sends"): `back_in_stock` queues a job per notify-me request that batch
   * marked notified (ingestion does so in its transaction when stock returns,
   * ports/notify-requests.ts), `price_drop` one per subscriber who viewed a
   * product within `viewedWithin` when its price fell. `before` is the
   * products as read just before the batch.
   */
  async productsWritten(before: ReadonlyMap<string, Product>, after: readonly Product[], at: Date): Promise<TriggerJobsApplied> {
    const ops: TriggerJobOp[] = [];
    const atMs = at.getTime();
    const now = this.clock();
    const restocked = after.filter((product) => product.stock > 0 && (before.get(product.id)?.stock ?? 0) <= 0);
    for (const trigger of this.catalog.triggers) {
      if (trigger.when === 'back_in_stock') {
        for (const product of restocked) {
          const requests = await this.reads.notifyRequests.list({ productId: product.id, waiting: false, limit: MAX_RESTOCK_REQUESTS });
          ops.push(...planCatalogueJobs(trigger, backInStockRecipients(requests.filter((request) => request.notifiedAt === atMs)), atMs, now));
        }
      } else if (trigger.when === 'price_drop') {
        for (const product of after) {
          const was = before.get(product.id);
          if (was === undefined || !priceDropped(was, product, trigger.minDropPercent)) continue;
          const viewers = await this.reads.identity.viewersOf(product.id, new Date(atMs - trigger.viewedWithin));
          ops.push(...planCatalogueJobs(trigger, priceDropRecipients(product.id, viewers, atMs), atMs, now));
        }
      }
    }
    if (ops.length === 0) return { enqueued: [], cancelled: 0 };
    return this.jobs.apply(ops);
  }

  async eventsAccepted(events: readonly TriggeringEvent[], stale: readonly { id: string }[] = []): Promise<TriggerJobsApplied> {
    if (!this.active) return { enqueued: [], cancelled: 0 };
    const staleIds = new Set(stale.map((event) => event.id));
    const fresh = events.filter((event) => !staleIds.has(event.id));
    const anonymousIds = [...new Set(fresh.flatMap((event) => (event.subscriberId === undefined && event.anonymousId !== undefined ? [event.anonymousId] : [])))];
    const links = anonymousIds.length > 0 ? await this.reads.identity.subscriberIdsFor(anonymousIds) : new Map<string, string>();
    const resolved = fresh.map((event) =>
      event.subscriberId === undefined && event.anonymousId !== undefined ? { ...event, subscriberId: links.get(event.anonymousId) } : event,
    );
    const ops = planTriggerJobs(
      resolved,
      this.catalog.triggers,
      this.clock(),
    );
    return this.jobs.apply(ops);
  }
}
