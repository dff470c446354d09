import type { Subscriber } from './model';
import { happenedAfter, mergeAnonymousHistory, type AnonymousEvent, type TimedList } from '../identity/merge-history';
import { newSubscriber } from './patches';

/**
 * Whom a behaviour event is about: a subscriber, or an anonymous id (a cookie
 * or device id) that an `identify` event may later link to one — exactly one
 * of the two (docs/ARCHITECTURE.md, "Identity").
 */
export type EventSubject = { subscriberId: string; anonymousId?: undefined } | { anonymousId: string; subscriberId?: undefined };

/** What a shopper did: the events an anonymous id may carry too. */
export type BehaviourEvent = { id: string; occurredAt: string } & EventSubject &
  ({ type: 'product_viewed' | 'added_to_cart' | 'removed_from_cart'; productId: string } | { type: 'purchased'; productIds: string[] });

/** A loyalty balance change: only a known subscriber has one. */
export interface PointsEvent {
  id: string;
  subscriberId: string;
  anonymousId?: undefined;
  occurredAt: string;
  type: 'points_changed';
  delta: number;
  tier?: string;
}

/** Links an anonymous id to a subscriber; the first link of an anonymous id wins. */
export interface IdentifyEvent {
  id: string;
  occurredAt: string;
  type: 'identify';
  anonymousId: string;
  subscriberId: string;
}

/** Events as the store applies them (the API validates their shape first). */
export type SubscriberEvent = BehaviourEvent | PointsEvent | IdentifyEvent;

/** The events that change a profile's lists or balance. */
export type ProfileEvent = BehaviourEvent | PointsEvent;

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
export function applyEvent(subscriber: Subscriber, event: ProfileEvent, keepInCart: ReadonlySet<string> = new Set()): Subscriber {
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
 * What a batch of events reads, loaded before planning (anonymousIdsOf, then
 * keysTouchedBy, say which keys) in the transaction that will write the plan.
 */
export interface EventBatchSnapshot {
  /** The batch's event ids that were processed before (applied, refused as stale, or kept for an anonymous id). */
  processedIds: ReadonlySet<string>;
  /** The stored profiles of the batch's subscribers. */
  subscribers: ReadonlyMap<string, Subscriber>;
  /**
   * When the latest cart change of a product for a subscriber happened at the source (ISO), by cartKey;
   * for the subscribers the batch identifies, every product's.
   */
  cartChangedAt: ReadonlyMap<string, string>;
  /** The stored links of the batch's anonymous ids: anonymous id → subscriber id. */
  links: ReadonlyMap<string, string>;
  /** The kept events of the anonymous ids the batch identifies, by anonymous id. */
  anonymousHistory: ReadonlyMap<string, readonly AnonymousEvent[]>;
  /** For the subscribers the batch identifies: when each view and purchase happened, by entryKey. */
  entryTimes: ReadonlyMap<string, string>;
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

/** The key of a view or purchase time in EventBatchSnapshot.entryTimes. */
export function entryKey(subscriberId: string, list: TimedList, productId: string): string {
  return `${subscriberId}\u0000${list}\u0000${productId}`;
}

/** The anonymous ids a batch names: their links are read first, to know whose profiles it touches. */
export function anonymousIdsOf(events: readonly SubscriberEvent[]): string[] {
  return [...new Set(events.flatMap((event) => (event.anonymousId === undefined ? [] : [event.anonymousId])))];
}

/**
 * What a batch of events reads, each key once, given the stored links of its anonymous ids.
 * `subscriberIds` holds every profile the batch may write, the identified subscribers' included.
 */
export function keysTouchedBy(
  events: readonly SubscriberEvent[],
  links: ReadonlyMap<string, string> = new Map(),
): { eventIds: string[]; subscriberIds: string[]; cartProducts: CartProduct[]; identified: { anonymousIds: string[]; subscriberIds: string[] } } {
  const cartProducts = new Map<string, CartProduct>();
  const touchCart = (subscriberId: string | undefined, productId: string): void => {
    // An anonymous id linked only by this batch belongs to an identified subscriber, whose cart times are all read.
    if (subscriberId !== undefined) cartProducts.set(cartKey(subscriberId, productId), { subscriberId, productId });
  };
  const subscriberIds = new Set<string>();
  const identified = { anonymousIds: new Set<string>(), subscriberIds: new Set<string>() };
  for (const event of events) {
    const subscriberId = event.subscriberId ?? links.get(event.anonymousId);
    if (subscriberId !== undefined) subscriberIds.add(subscriberId);
    if (event.type === 'identify') {
      identified.anonymousIds.add(event.anonymousId);
      identified.subscriberIds.add(event.subscriberId);
    }
    if (event.type === 'added_to_cart' || event.type === 'removed_from_cart') touchCart(subscriberId, event.productId);
    if (event.type === 'purchased') for (const productId of event.productIds) touchCart(subscriberId, productId);
  }
  return {
    eventIds: [...new Set(events.map((event) => event.id))],
    subscriberIds: [...subscriberIds],
    cartProducts: [...cartProducts.values()],
    identified: { anonymousIds: [...identified.anonymousIds], subscriberIds: [...identified.subscriberIds] },
  };
}

export interface ProcessedEvent {
  id: string;
  /** The subscriber it was applied to (an anonymous id's, once linked). */
  subscriberId: string;
  type: SubscriberEvent['type'];
  occurredAt: string;
}

/** A link the batch makes: `occurredAt` is the identify event's. */
export interface IdentityLink {
  anonymousId: string;
  subscriberId: string;
  linkedAt: string;
  eventId: string;
}

export interface EventBatchPlan {
  subscribers: Subscriber[];
  /** Event ids to record as processed for a subscriber, a merged anonymous event's included. */
  processed: ProcessedEvent[];
  cartChanges: { subscriberId: string; productId: string; occurredAt: string }[];
  /** When views and purchases happened, to write (the later of stored and these). */
  entryTimes: { subscriberId: string; list: TimedList; productId: string; occurredAt: string }[];
  /** Events of anonymous ids still unlinked at the end of the batch: kept until an identify. */
  anonymousEvents: AnonymousEvent[];
  /** Anonymous ids whose kept events were merged by this batch: their kept rows go (they are in `processed` now). */
  mergedAnonymousIds: string[];
  links: IdentityLink[];
  result: EventBatchResult;
}

/**
 * Plans a batch of events in arrival order. Every event id that is not a
 * duplicate is recorded as processed (stale ones too: a redelivery must not
 * apply them later). Cart changes carry their source time per product, so
 * add/remove delivered out of order settle on what happened last.
 *
 * Identity (docs/ARCHITECTURE.md, "Identity"): an event for an anonymous id
 * that is linked goes to its subscriber; one for an unlinked id is kept.
 * An `identify` links the id (the first link wins; another subscriber's
 * later claim is reported stale) and merges the kept events into the
 * subscriber's profile in time order; they then count as that subscriber's
 * processed events, so nothing is merged twice.
 */
export function planEventBatch(events: readonly SubscriberEvent[], snapshot: EventBatchSnapshot): EventBatchPlan {
  const profiles = new Map<string, Subscriber>();
  const cartTimes = new Map<string, string>();
  const entryTimes = new Map<string, string>();
  const links = new Map(snapshot.links);
  const kept = new Map<string, AnonymousEvent[]>();
  const seen = new Set<string>();
  const plan: EventBatchPlan = {
    subscribers: [],
    processed: [],
    cartChanges: [],
    entryTimes: [],
    anonymousEvents: [],
    mergedAnonymousIds: [],
    links: [],
    result: { applied: 0, duplicates: [], stale: [] },
  };
  const cartTime = (subscriberId: string, productId: string): string | undefined => {
    const key = cartKey(subscriberId, productId);
    return cartTimes.get(key) ?? snapshot.cartChangedAt.get(key);
  };
  const noteCartChange = (subscriberId: string, productId: string, occurredAt: string): void => {
    if (happenedAfter(cartTime(subscriberId, productId), occurredAt)) return;
    cartTimes.set(cartKey(subscriberId, productId), occurredAt);
  };
  const entryTime = (subscriberId: string, list: TimedList, productId: string): string | undefined => {
    const key = entryKey(subscriberId, list, productId);
    return entryTimes.get(key) ?? snapshot.entryTimes.get(key);
  };
  const noteEntry = (subscriberId: string, list: TimedList, productId: string, occurredAt: string): void => {
    if (happenedAfter(entryTime(subscriberId, list, productId), occurredAt)) return;
    entryTimes.set(entryKey(subscriberId, list, productId), occurredAt);
  };
  const profileOf = (subscriberId: string): Subscriber =>
    profiles.get(subscriberId) ?? snapshot.subscribers.get(subscriberId) ?? newSubscriber(subscriberId, PLACEHOLDER_PROFILE_UPDATED_AT);

  const identify = (event: IdentifyEvent, index: number): void => {
    const linked = links.get(event.anonymousId);
    if (linked !== undefined && linked !== event.subscriberId) {
      plan.result.stale.push({ index, id: event.id, reason: `anonymous id ${event.anonymousId} is already linked to another subscriber; its first link wins` });
      return;
    }
    plan.result.applied++;
    if (linked !== undefined) return; // linked to this subscriber already: nothing left to merge
    links.set(event.anonymousId, event.subscriberId);
    plan.links.push({ anonymousId: event.anonymousId, subscriberId: event.subscriberId, linkedAt: event.occurredAt, eventId: event.id });
    const stored = snapshot.anonymousHistory.get(event.anonymousId) ?? [];
    if (stored.length > 0) plan.mergedAnonymousIds.push(event.anonymousId);
    const history = [...stored, ...(kept.get(event.anonymousId) ?? [])];
    kept.delete(event.anonymousId);
    for (const merged of history) plan.processed.push({ id: merged.id, subscriberId: event.subscriberId, type: merged.type, occurredAt: merged.occurredAt });
    const subscriberId = event.subscriberId;
    const merge = mergeAnonymousHistory(
      profileOf(subscriberId),
      history,
      { entryTime: (list, productId) => entryTime(subscriberId, list, productId), cartTime: (productId) => cartTime(subscriberId, productId) },
      HISTORY_LIMIT,
    );
    profiles.set(subscriberId, merge.subscriber);
    for (const entry of merge.entryTimes) noteEntry(subscriberId, entry.list, entry.productId, entry.occurredAt);
    for (const change of merge.cartChanges) noteCartChange(subscriberId, change.productId, change.occurredAt);
  };

  const applyToProfile = (subscriberId: string, event: ProfileEvent, index: number): void => {
    plan.processed.push({ id: event.id, subscriberId, type: event.type, occurredAt: event.occurredAt });
    if ((event.type === 'added_to_cart' || event.type === 'removed_from_cart') && happenedAfter(cartTime(subscriberId, event.productId), event.occurredAt)) {
      plan.result.stale.push({ index, id: event.id, reason: `a later cart change of ${event.productId} is already applied` });
      return;
    }
    const keepInCart = new Set<string>();
    if (event.type === 'purchased') {
      for (const productId of event.productIds) if (happenedAfter(cartTime(subscriberId, productId), event.occurredAt)) keepInCart.add(productId);
    }
    profiles.set(subscriberId, applyEvent(profileOf(subscriberId), event, keepInCart));
    if (event.type === 'added_to_cart' || event.type === 'removed_from_cart') noteCartChange(subscriberId, event.productId, event.occurredAt);
    if (event.type === 'product_viewed') noteEntry(subscriberId, 'views', event.productId, event.occurredAt);
    if (event.type === 'purchased') {
      for (const productId of event.productIds) {
        noteCartChange(subscriberId, productId, event.occurredAt);
        noteEntry(subscriberId, 'purchases', productId, event.occurredAt);
      }
    }
    plan.result.applied++;
  };

  events.forEach((event, index) => {
    if (seen.has(event.id) || snapshot.processedIds.has(event.id)) {
      plan.result.duplicates.push({ index, id: event.id });
      return;
    }
    seen.add(event.id);
    if (event.type === 'identify') {
      plan.processed.push({ id: event.id, subscriberId: event.subscriberId, type: event.type, occurredAt: event.occurredAt });
      identify(event, index);
      return;
    }
    if (event.anonymousId === undefined) {
      applyToProfile(event.subscriberId, event, index);
      return;
    }
    const linked = links.get(event.anonymousId);
    if (linked !== undefined) {
      applyToProfile(linked, event, index);
      return;
    }
    // Not linked (yet): kept as it came, merged in time order when an identify links the id.
    const keptOfId = kept.get(event.anonymousId);
    if (keptOfId) keptOfId.push(event);
    else kept.set(event.anonymousId, [event]);
    plan.result.applied++;
  });

  plan.subscribers = [...profiles.values()];
  plan.cartChanges = [...cartTimes].map(([key, occurredAt]) => {
    const [subscriberId, productId] = key.split('\u0000') as [string, string];
    return { subscriberId, productId, occurredAt };
  });
  plan.entryTimes = [...entryTimes].map(([key, occurredAt]) => {
    const [subscriberId, list, productId] = key.split('\u0000') as [string, TimedList, string];
    return { subscriberId, list, productId, occurredAt };
  });
  plan.anonymousEvents = [...kept.values()].flat();
  return plan;
}
