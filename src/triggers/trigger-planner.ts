import type { TriggerJobOp } from '../storage/ports/trigger-jobs';
import type { PreparedTrigger } from './trigger-config';

/** What the planner reads of an accepted event (the API's eventSchema items satisfy it). */
export interface TriggeringEvent {
  id: string;
  type: string;
  /** Absent for an anonymous shopper's event whose id no `identify` has linked: nobody to write to yet, so no trigger starts or is cancelled. */
  subscriberId?: string | undefined;
  /** An anonymous shopper's id; the intake resolves it to the linked subscriber before planning. */
  anonymousId?: string | undefined;
  occurredAt: string;
  productId?: string;
  productIds?: readonly string[];
}

function productsOf(event: TriggeringEvent): string[] {
  if (event.productId !== undefined) return [event.productId];
  return event.productIds ? [...event.productIds] : [];
}

/**
 * The queue steps a batch of accepted events makes, in the events' order
 * (docs/ARCHITECTURE.md, "Triggered sends"): an event a trigger starts on
 * enqueues one job per product it names (one job when it names none), due
 * `delay` after the event happened; an event in a trigger's `cancelWhen`
 * cancels that subscriber's pending jobs of the trigger caused no later than
 * it, for the same products when it names some. Pure: the job ids derive
 * from the event ids, so planning a replayed event again changes nothing.
 */
export function planTriggerJobs(events: readonly TriggeringEvent[], triggers: readonly PreparedTrigger[], now: number): TriggerJobOp[] {
  const ops: TriggerJobOp[] = [];
  if (triggers.length === 0) return ops;
  for (const event of events) {
    const subscriberId = event.subscriberId;
    if (!subscriberId) continue;
    const at = Date.parse(event.occurredAt);
    const products = productsOf(event);
    const cancelling = triggers.filter((trigger) => (trigger.cancelWhen as readonly string[]).includes(event.type));
    if (cancelling.length > 0) {
      ops.push({
        op: 'cancel',
        subscriberId,
        triggerIds: cancelling.map((trigger) => trigger.id),
        productIds: products.length > 0 ? products : null,
        causedUpTo: at,
        at: now,
        reason: `${event.type} (event ${event.id})`,
      });
    }
    for (const trigger of triggers) {
      if (trigger.when !== event.type) continue;
      for (const productId of products.length > 0 ? products : [null]) {
        const suffix = products.length > 1 ? `:${productId}` : '';
        ops.push(enqueueOp(trigger, subscriberId, productId, `${event.id}${suffix}`, at, now));
      }
    }
  }
  return ops;
}

/**
 * One job a trigger queues, event or catalogue change alike: its id is
 * `<trigger>:<cause>`, so planning a replay again makes the same job; due
 * `delay` after `at`; deduplicated as the trigger says.
 */
export function enqueueOp(trigger: PreparedTrigger, subscriberId: string, productId: string | null, cause: string, at: number, now: number): TriggerJobOp {
  // JSON: readable in the API, and no id can make two keys collide.
  const dedupeKey = JSON.stringify(
    trigger.dedupeBy === 'subscriber' ? [trigger.id, subscriberId] : trigger.dedupeBy === 'subscriber_product' ? [trigger.id, subscriberId, productId] : [trigger.id, cause],
  );
  return {
    op: 'enqueue',
    job: {
      id: `${trigger.id}:${cause}`,
      triggerId: trigger.id,
      subscriberId,
      productId,
      campaignId: trigger.campaign,
      template: trigger.template,
      dedupeKey,
      sourceAt: at,
      runAt: at + trigger.delay,
      createdAt: now,
    },
  };
}
