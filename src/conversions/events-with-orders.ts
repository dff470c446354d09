import { z } from 'zod';
import { parseBatch, type ClockSkewLimit } from '../api/payload-schemas';
import type { EventBatchResult } from '../data/subscriber-events';
import type { ItemProblem } from '../http/error-catalogue';
import type { OrderCompleted, OrderIntake } from './order-intake';
import { orderCompletedSchema } from './order-schema';

/** One event batch split in two: the behaviour events (ingestion) and the orders (conversions), each item with its index in the request. */
export interface EventsWithOrders<E> {
  events: { index: number; item: E }[];
  orders: { index: number; item: OrderCompleted }[];
}

const isIdentify = (item: unknown): item is { anonymousId: string; subscriberId: string } =>
  typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'identify';
const isOrder = (item: unknown): boolean => typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'order_completed';

/** Parses a subset of the batch's items and puts the problems back at their indexes in the request. */
function parseSubset<T extends object>(items: { index: number; raw: unknown }[], schema: z.ZodType<T>, clock: ClockSkewLimit): { items: { index: number; item: T }[] } | { errors: ItemProblem[] } {
  if (items.length === 0) return { items: [] };
  const parsed = parseBatch({ events: items.map((entry) => entry.raw) }, 'events', schema, clock);
  const indexAt = (i: number): number => (items[i] as { index: number }).index;
  if ('errors' in parsed) return { errors: parsed.errors.map((problem) => ({ ...problem, index: indexAt(problem.index) })) };
  return { items: parsed.items.map((item, i) => ({ index: indexAt(i), item })) };
}

/** An unknown `type` is answered with every type there is: the behaviour events' list lacks the order's. */
function withOrderType(problem: ItemProblem): ItemProblem {
  return problem.path === 'type' && problem.message.startsWith('Invalid discriminator value. Expected ') ? { ...problem, message: `${problem.message} | 'order_completed'` } : problem;
}

/**
 * Validates `{"events": [...]}` where `order_completed` items are orders
 * (conversions/order-schema.ts) and every other item is a behaviour event
 * (`eventSchema`). The batch is checked whole first (shape, size), then each
 * part; every problem keeps its item's index in the request.
 */
export function parseEventsWithOrders<E extends object>(body: unknown, eventSchema: z.ZodType<E>, clock: ClockSkewLimit): EventsWithOrders<E> | { errors: ItemProblem[] } {
  const whole = parseBatch(body, 'events', z.custom<object>(() => true), clock);
  if ('errors' in whole) {
    // Item-level problems (a future time) are reported again by the part that owns the item.
    const bodyProblems = whole.errors.filter((problem) => problem.index === -1);
    if (bodyProblems.length) return { errors: bodyProblems };
  }
  const list = (body as { events: unknown[] }).events;
  const orders = parseSubset(list.flatMap((raw, index) => (isOrder(raw) ? [{ index, raw }] : [])), orderCompletedSchema, clock);
  const events = parseSubset(list.flatMap((raw, index) => (isOrder(raw) ? [] : [{ index, raw }])), eventSchema, clock);
  const errors = [...('errors' in events ? events.errors.map(withOrderType) : []), ...('errors' in orders ? orders.errors : [])].sort((a, b) => a.index - b.index);
  if (errors.length || 'errors' in events || 'errors' in orders) return { errors };
  return { events: events.items, orders: orders.items };
}

/**
 * Applies a split batch: the behaviour events through ingestion (one
 * transaction), then the orders through the intake (one transaction), and
 * answers as one batch. A replayed request finds every event id and order id
 * already stored: all duplicates, nothing applied twice.
 */
export async function applyEventsWithOrders<E>(
  batch: EventsWithOrders<E>,
  applyEvents: (events: E[]) => Promise<EventBatchResult>,
  orders: Pick<OrderIntake, 'record' | 'identified'>,
  now: Date,
): Promise<EventBatchResult> {
  // What POST /api/v1/events answers: the store's result shape, indexes as in the request.
  const answer: EventBatchResult = { applied: 0, duplicates: [], stale: [] };
  if (batch.events.length) {
    const indexAt = (i: number): number => (batch.events[i] as { index: number }).index;
    const result = await applyEvents(batch.events.map((entry) => entry.item));
    answer.applied += result.applied;
    answer.duplicates.push(...result.duplicates.map((duplicate) => ({ ...duplicate, index: indexAt(duplicate.index) })));
    answer.stale.push(...result.stale.map((stale) => ({ ...stale, index: indexAt(stale.index) })));
    // Orders that waited for an anonymous id's link are credited once an identify links it (not a duplicate or refused one).
    const notApplied = new Set([...result.duplicates, ...result.stale].map((entry) => entry.index));
    const links = batch.events.flatMap((entry, i) => (!notApplied.has(i) && isIdentify(entry.item) ? [{ anonymousId: entry.item.anonymousId, subscriberId: entry.item.subscriberId }] : []));
    if (links.length) await orders.identified(links);
  }
  if (batch.orders.length) {
    const result = await orders.record(batch.orders.map((entry) => entry.item), now);
    answer.applied += result.recorded.length;
    // The first occurrence of an order id the store wrote is the one recorded; every other occurrence is a duplicate.
    const firstSeen = new Set<string>();
    const recorded = new Set(result.recorded);
    for (const entry of batch.orders) {
      const orderId = entry.item.orderId;
      if (recorded.has(orderId) && !firstSeen.has(orderId)) firstSeen.add(orderId);
      else answer.duplicates.push({ index: entry.index, id: orderId });
    }
    answer.duplicates.sort((a, b) => a.index - b.index);
  }
  return answer;
}
