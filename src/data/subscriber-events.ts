import type { Subscriber } from './model';
import { newSubscriber } from './patches';

/** Behaviour events as the store applies them (the API validates their shape first). */
export type SubscriberEvent =
  | { id: string; subscriberId: string; occurredAt: string; type: 'product_viewed' | 'added_to_cart' | 'removed_from_cart'; productId: string }
  | { id: string; subscriberId: string; occurredAt: string; type: 'purchased'; productIds: string[] }
  | { id: string; subscriberId: string; occurredAt: string; type: 'points_changed'; delta: number; tier?: string };

/** How much history a profile keeps: recommendations read the most recent entries only. */
export const HISTORY_LIMIT = 50;

/**
 * The `updatedAt` of a profile first created by an event: the epoch, so the
 * profile upsert that follows (whatever its source timestamp) is never
 * mistaken for stale. Events change behaviour lists, not the profile's
 * source timestamp.
 */
export const PLACEHOLDER_PROFILE_UPDATED_AT = new Date(0).toISOString();

/** Puts ids first (most recent first), without duplicates, keeping at most HISTORY_LIMIT. */
function pushRecent(list: readonly string[], ids: readonly string[]): string[] {
  const fresh = new Set(ids);
  return [...ids, ...list.filter((id) => !fresh.has(id))].slice(0, HISTORY_LIMIT);
}

/**
 * The profile after one event. Pure; the store runs it inside the
 * transaction that also records the event id, so a replayed event (same id)
 * is acknowledged and not applied twice. `keepInCart`: purchased products
 * whose cart changed later at the source, so the purchase must not remove them.
 */
export function applyEvent(subscriber: Subscriber, event: SubscriberEvent, keepInCart: ReadonlySet<string> = new Set()): Subscriber {
  switch (event.type) {
    case 'product_viewed':
      return { ...subscriber, recentViews: pushRecent(subscriber.recentViews, [event.productId]) };
    case 'added_to_cart':
      return { ...subscriber, cart: pushRecent(subscriber.cart, [event.productId]) };
    case 'removed_from_cart':
      return { ...subscriber, cart: subscriber.cart.filter((id) => id !== event.productId) };
    case 'purchased': {
      const bought = new Set(event.productIds.filter((id) => !keepInCart.has(id)));
      return {
        ...subscriber,
        purchases: pushRecent(subscriber.purchases, event.productIds),
        cart: subscriber.cart.filter((id) => !bought.has(id)),
      };
    }
    case 'points_changed':
      return {
        ...subscriber,
        // A balance never goes below zero, whatever order refunds arrive in.
        loyaltyPoints: Math.max(0, subscriber.loyaltyPoints + event.delta),
        loyaltyTier: event.tier ?? subscriber.loyaltyTier,
      };
  }
}

/** The answer of a batch of events, item indexes as in the request. */
export interface EventBatchResult {
  applied: number;
  /** Already processed (a replayed delivery): acknowledged, not applied again. */
  duplicates: { index: number; id: string }[];
  /** A cart change older than the latest one stored for that product: acknowledged, not applied. */
  stale: { index: number; id: string; reason: string }[];
}

/** What the store reads while planning a batch, all inside the transaction that writes the plan. */
export interface EventBatchReader {
  isProcessed(eventId: string): boolean;
  readSubscriber(id: string): Subscriber | undefined;
  /** When the latest cart change of this product for this subscriber happened at the source (ISO), if any. */
  cartChangedAt(subscriberId: string, productId: string): string | undefined;
}

export interface ProcessedEvent {
  id: string;
  subscriberId: string;
  type: SubscriberEvent['type'];
  occurredAt: string;
}

export interface EventBatchPlan {
  subscribers: Subscriber[];
  processed: ProcessedEvent[];
  cartChanges: { subscriberId: string; productId: string; occurredAt: string }[];
  result: EventBatchResult;
}

const later = (a: string | undefined, b: string): boolean => a !== undefined && Date.parse(a) > Date.parse(b);

/**
 * Plans a batch of events in arrival order. Every event id that is not a
 * duplicate is recorded as processed (stale ones too: a redelivery must not
 * apply them later). Cart changes carry their source time per product, so
 * add/remove delivered out of order settle on what happened last.
 */
export function planEventBatch(events: readonly SubscriberEvent[], reader: EventBatchReader): EventBatchPlan {
  const profiles = new Map<string, Subscriber>();
  const cartTimes = new Map<string, string>();
  const seen = new Set<string>();
  const plan: EventBatchPlan = { subscribers: [], processed: [], cartChanges: [], result: { applied: 0, duplicates: [], stale: [] } };
  const cartTime = (subscriberId: string, productId: string): string | undefined =>
    cartTimes.get(`${subscriberId}\u0000${productId}`) ?? reader.cartChangedAt(subscriberId, productId);
  const noteCartChange = (subscriberId: string, productId: string, occurredAt: string): void => {
    if (later(cartTime(subscriberId, productId), occurredAt)) return;
    cartTimes.set(`${subscriberId}\u0000${productId}`, occurredAt);
  };

  events.forEach((event, index) => {
    if (seen.has(event.id) || reader.isProcessed(event.id)) {
      plan.result.duplicates.push({ index, id: event.id });
      return;
    }
    seen.add(event.id);
    plan.processed.push({ id: event.id, subscriberId: event.subscriberId, type: event.type, occurredAt: event.occurredAt });
    if ((event.type === 'added_to_cart' || event.type === 'removed_from_cart') && later(cartTime(event.subscriberId, event.productId), event.occurredAt)) {
      plan.result.stale.push({ index, id: event.id, reason: `a later cart change of ${event.productId} is already applied` });
      return;
    }
    const profile = profiles.get(event.subscriberId) ?? reader.readSubscriber(event.subscriberId) ?? newSubscriber(event.subscriberId, PLACEHOLDER_PROFILE_UPDATED_AT);
    const keepInCart = new Set<string>();
    if (event.type === 'purchased') {
      for (const productId of event.productIds) if (later(cartTime(event.subscriberId, productId), event.occurredAt)) keepInCart.add(productId);
    }
    profiles.set(event.subscriberId, applyEvent(profile, event, keepInCart));
    if (event.type === 'added_to_cart' || event.type === 'removed_from_cart') noteCartChange(event.subscriberId, event.productId, event.occurredAt);
    if (event.type === 'purchased') for (const productId of event.productIds) noteCartChange(event.subscriberId, productId, event.occurredAt);
    plan.result.applied++;
  });

  plan.subscribers = [...profiles.values()];
  plan.cartChanges = [...cartTimes].map(([key, occurredAt]) => {
    const [subscriberId, productId] = key.split('\u0000') as [string, string];
    return { subscriberId, productId, occurredAt };
  });
  return plan;
}
