import type { Subscriber } from '../data/model';
import type { BehaviourEvent } from '../data/subscriber-events';

/** An event that arrived for an anonymous id not linked to a subscriber yet: kept until an `identify` links it. */
export type AnonymousEvent = Extract<BehaviourEvent, { anonymousId: string }>;

/** The profile lists whose entries carry the time they happened, so histories merge in order. */
export type TimedList = 'views' | 'purchases';

/** When each entry of a subscriber's lists happened at the source, as far as it is known. */
export interface EntryTimes {
  /** When the product was last viewed or bought (undefined: set by a profile upsert, or before times were kept). */
  entryTime(list: TimedList, productId: string): string | undefined;
  /** When the product's latest cart change happened (add, remove or purchase). */
  cartTime(productId: string): string | undefined;
}

/** What merging an anonymous history changes besides the profile: the times the store keeps. */
export interface MergedHistory {
  subscriber: Subscriber;
  entryTimes: { list: TimedList; productId: string; occurredAt: string }[];
  cartChanges: { productId: string; occurredAt: string }[];
}

/** Whether `a` is known and happened after `b` (ISO times): a change at the source loses to a later one of the same thing. */
export const happenedAfter = (a: string | undefined, b: string): boolean => a !== undefined && Date.parse(a) > Date.parse(b);

/**
 * Merges what an anonymous id did into the subscriber it was just linked to
 * (docs/ARCHITECTURE.md, "Identity"). Pure. The anonymous events are replayed
 * in the order they happened (occurredAt, then id), and each list is merged
 * by time, so a product viewed anonymously before the subscriber's own views
 * sits below them (an entry a profile upsert wrote counts as of the
 * profile's `updatedAt`). Lists stay sets: a product in both histories is counted
 * once, at its latest time. A cart change loses to a later one the
 * subscriber already made to that product, as between any two cart events.
 */
export function mergeAnonymousHistory(subscriber: Subscriber, anonymous: readonly AnonymousEvent[], times: EntryTimes, historyLimit: number): MergedHistory {
  const views = new Map<string, string>();
  const purchases = new Map<string, string>();
  const cart = new Map<string, { inCart: boolean; at: string }>();
  for (const event of [...anonymous].sort(byTimeThenId)) {
    switch (event.type) {
      case 'product_viewed':
        views.set(event.productId, event.occurredAt);
        break;
      case 'added_to_cart':
      case 'removed_from_cart':
        cart.set(event.productId, { inCart: event.type === 'added_to_cart', at: event.occurredAt });
        break;
      case 'purchased':
        for (const productId of event.productIds) {
          purchases.set(productId, event.occurredAt);
          cart.set(productId, { inCart: false, at: event.occurredAt });
        }
        break;
    }
  }

  const cartWinners = [...cart].filter(([productId, change]) => !happenedAfter(times.cartTime(productId), change.at));
  const leftCart = new Set(cartWinners.filter(([, change]) => !change.inCart).map(([productId]) => productId));
  const joinedCart = new Map(cartWinners.filter(([, change]) => change.inCart).map(([productId, change]) => [productId, change.at]));
  const newerEntries = (list: TimedList, entries: ReadonlyMap<string, string>) =>
    [...entries].filter(([productId, at]) => !happenedAfter(times.entryTime(list, productId), at)).map(([productId, occurredAt]) => ({ list, productId, occurredAt }));

  return {
    subscriber: {
      ...subscriber,
      recentViews: mergeByTime(subscriber.recentViews, (id) => times.entryTime('views', id), views, historyLimit, subscriber.updatedAt),
      purchases: mergeByTime(subscriber.purchases, (id) => times.entryTime('purchases', id), purchases, historyLimit, subscriber.updatedAt),
      cart: mergeByTime(
        subscriber.cart.filter((id) => !leftCart.has(id)),
        (id) => times.cartTime(id),
        joinedCart,
        historyLimit,
        subscriber.updatedAt,
      ),
    },
    entryTimes: [...newerEntries('views', views), ...newerEntries('purchases', purchases)],
    cartChanges: cartWinners.map(([productId, change]) => ({ productId, occurredAt: change.at })),
  };
}

function byTimeThenId(a: AnonymousEvent, b: AnonymousEvent): number {
  return Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * A most-recent-first list with entries added at their times. An entry of
 * `list` whose time is unknown counts as of `untimedAt` (the profile's
 * `updatedAt`: a profile upsert wrote it, so it happened by then), and no
 * entry counts as more recent than the one above it (one put on top when it
 * arrived late), so the list keeps its own order; at equal times its
 * entries come first. An id in both places is kept once, where it is more
 * recent.
 */
export function mergeByTime(
  list: readonly string[],
  timeOf: (id: string) => string | undefined,
  added: ReadonlyMap<string, string>,
  limit: number,
  untimedAt: string,
): string[] {
  let ceiling = Number.POSITIVE_INFINITY;
  const own = list.map((id) => {
    ceiling = Math.min(ceiling, Date.parse(timeOf(id) ?? untimedAt));
    return { id, at: ceiling };
  });
  const incoming = [...added]
    .map(([id, at]) => ({ id, at: Date.parse(at) }))
    .sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const merged: string[] = [];
  const seen = new Set<string>();
  const take = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    merged.push(id);
  };
  let i = 0;
  let j = 0;
  while (i < own.length || j < incoming.length) {
    const mine = own[i];
    const theirs = incoming[j];
    if (theirs !== undefined && (mine === undefined || theirs.at > mine.at)) {
      take(theirs.id);
      j++;
    } else if (mine !== undefined) {
      take(mine.id);
      i++;
    }
  }
  return merged.slice(0, limit);
}
