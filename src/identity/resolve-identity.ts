import type { EventSubject } from '../data/subscriber-events';
import type { IdentityStore } from '../storage/ports/identity';

/**
 * The subscriber an event's subject stands for: its subscriberId, or the
 * subscriber its anonymous id is linked to; undefined while the anonymous id
 * is not linked (docs/ARCHITECTURE.md, "Identity"). For code that acts on
 * events outside ingestion (conversions, triggers): ingestion itself
 * resolves inside its transaction.
 */
export async function subscriberIdFor(identity: Pick<IdentityStore, 'subscriberIdFor'>, subject: EventSubject): Promise<string | undefined> {
  if (subject.subscriberId !== undefined) return subject.subscriberId;
  return identity.subscriberIdFor(subject.anonymousId);
}
