import type { IdentityStore } from '../storage/ports/identity';
import type { TriggerJobStore, TriggerJobsApplied } from '../storage/ports/trigger-jobs';
import type { TriggersCatalog } from './trigger-config';
import { planTriggerJobs, type TriggeringEvent } from './trigger-planner';

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
  constructor(
    private readonly jobs: Pick<TriggerJobStore, 'apply'>,
    private readonly catalog: TriggersCatalog,
    private readonly identity: Pick<IdentityStore, 'subscriberIdsFor'>,
    private readonly clock: () => number = Date.now,
  ) {}

  get active(): boolean {
    return this.catalog.triggers.length > 0;
  }

  async eventsAccepted(events: readonly TriggeringEvent[], stale: readonly { id: string }[] = []): Promise<TriggerJobsApplied> {
    if (!this.active) return { enqueued: [], cancelled: 0 };
    const staleIds = new Set(stale.map((event) => event.id));
    const fresh = events.filter((event) => !staleIds.has(event.id));
    const anonymousIds = [...new Set(fresh.flatMap((event) => (event.subscriberId === undefined && event.anonymousId !== undefined ? [event.anonymousId] : [])))];
    const links = anonymousIds.length > 0 ? await this.identity.subscriberIdsFor(anonymousIds) : new Map<string, string>();
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
