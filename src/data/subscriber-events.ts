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

/**
 * What a batch of events reads, loaded before planning (keysTouchedBy says
 * which keys) in the transaction that will write the plan.
 */
export interface EventBatchSnapshot {
  /** The batch's event ids that were processed before. */
  processedIds: ReadonlySet<string>;
  /** The stored profiles of the batch's subscribers. */
  subscribers: ReadonlyMap<string, Subscriber>;
  /** When the latest cart change of a product for a subscriber happened at the source (ISO), by cartKey. */
  cartChangedAt: ReadonlyMap<string, string>;
}

/** One subscriber's cart entry for one product. */
export interface CartProduct {
  subscriberId: string;
  productId: string;
}

/** The key of a cart entry in EventBatchSnapshot.cartChangedAt. */
export function cartKey(subscriberId: string, productId: string): string {
  return `${subscriberId}\u0000${productId}`;
}

/** What a batch of events reads, each key once. */
export function keysTouchedBy(events: readonly SubscriberEvent[]): { eventIds: string[]; subscriberIds: string[]; cartProducts: CartProduct[] } {
  const cartProducts = new Map<string, CartProduct>();
  const touchCart = (subscriberId: string, productId: string): void => {
    cartProducts.set(cartKey(subscriberId, productId), { subscriberId, productId });
  };
  for (const event of events) {
    if (event.type === 'added_to_cart' || event.type === 'removed_from_cart') touchCart(event.subscriberId, event.productId);
    if (event.type === 'purchased') for (const productId of event.productIds) touchCart(event.subscriberId, productId);
  }
  return {
    eventIds: [...new Set(events.map((event) => event.id))],
    subscriberIds: [...new Set(events.map((event) => event.subscriberId))],
    cartProducts: [...cartProducts.values()],
  };
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
export function planEventBatch(events: readonly SubscriberEvent[], snapshot: EventBatchSnapshot): EventBatchPlan {
  const profiles = new Map<string, Subscriber>();
  const cartTimes = new Map<string, string>();
  const seen = new Set<string>();
  const plan: EventBatchPlan = { subscribers: [], processed: [], cartChanges: [], result: { applied: 0, duplicates: [], stale: [] } };
  const cartTime = (subscriberId: string, productId: string): string | undefined => {
    const key = cartKey(subscriberId, productId);
    return cartTimes.get(key) ?? snapshot.cartChangedAt.get(key);
  };
  const noteCartChange = (subscriberId: string, productId: string, occurredAt: string): void => {
    if (later(cartTime(subscriberId, productId), occurredAt)) return;
    cartTimes.set(cartKey(subscriberId, productId), occurredAt);
  };

  events.forEach((event, index) => {
    if (seen.has(event.id) || snapshot.processedIds.has(event.id)) {
      plan.result.duplicates.push({ index, id: event.id });
      return;
    }
    seen.add(event.id);
    plan.processed.push({ id: event.id, subscriberId: event.subscriberId, type: event.type, occurredAt: event.occurredAt });
    if ((event.type === 'added_to_cart' || event.type === 'removed_from_cart') && later(cartTime(event.subscriberId, event.productId), event.occurredAt)) {
      plan.result.stale.push({ index, id: event.id, reason: `a later cart change of ${event.productId} is already applied` });
      return;
    }
    const profile = profiles.get(event.subscriberId) ?? snapshot.subscribers.get(event.subscriberId) ?? newSubscriber(event.subscriberId, PLACEHOLDER_PROFILE_UPDATED_AT);
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
