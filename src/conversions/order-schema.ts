import { z } from 'zod';
import { currency, id, isoTimestamp } from '../api/payload-schemas';
import { minorDigits, toMinorUnits } from './money';
import type { OrderCompleted } from './order-intake';

/** Lines an order may carry; a longer one is a mistake (or not a shop's order). */
export const MAX_ORDER_LINES = 500;
/** The largest order total accepted, in major units: far above any real basket, far below unsafe integers. */
const MAX_TOTAL_MAJOR = 1e9;

const amount = z
  .union([z.string(), z.number()], { error: 'expected a decimal amount such as "59.90"' })
  .meta({ description: 'Unit price in the order currency, a decimal string such as "59.90" (or a JSON number); at most the currency\'s decimals.' });

const orderLine = z.strictObject({
  productId: id,
  quantity: z.number().int().min(1).max(100_000),
  amount,
});

/**
 * `order_completed` on POST /api/v1/events (README "Conversions and
 * revenue"): the order id makes it idempotent; exactly one of subscriberId
 * and anonymousId says who bought; every line's amount must be a plain
 * decimal with at most the currency's decimals.
 */
export const orderCompletedSchema = z
  .strictObject({
    id: id.meta({ description: 'The event id; the order id, not this, is what makes an order idempotent.' }),
    type: z.literal('order_completed'),
    orderId: id.meta({ description: 'The shop\'s order id: an order id seen before is acknowledged as a duplicate and changes nothing.' }),
    subscriberId: id.optional(),
    anonymousId: id.optional(),
    occurredAt: isoTimestamp.meta({ description: 'When the order was placed (ISO 8601 with a zone): the attribution window ends here.' }),
    currency,
    lines: z.array(orderLine).min(1).max(MAX_ORDER_LINES),
  })
  .superRefine((order, context) => {
    if ((order.subscriberId === undefined) === (order.anonymousId === undefined)) {
      context.addIssue({ code: 'custom', path: ['subscriberId'], message: 'expected exactly one of subscriberId and anonymousId' });
    }
    // zod runs this even when a field failed: an unknown currency is reported already and has no minor unit to check against.
    if (!currency.safeParse(order.currency).success || !Array.isArray(order.lines)) return;
    let totalMinor = 0;
    order.lines.forEach((line, index) => {
      const minor = toMinorUnits(line.amount, order.currency);
      if (minor === undefined) {
        const digits = minorDigits(order.currency);
        context.addIssue({
          code: 'custom',
          path: ['lines', index, 'amount'],
          message: `expected a non-negative decimal with at most ${digits} decimal${digits === 1 ? '' : 's'} for ${order.currency}, e.g. "${digits ? `59.${'9'.repeat(digits)}` : '5990'}"`,
        });
      } else totalMinor += minor * line.quantity;
    });
    if (totalMinor > MAX_TOTAL_MAJOR * 10 ** minorDigits(order.currency)) {
      context.addIssue({ code: 'custom', path: ['lines'], message: `expected an order total of at most ${MAX_TOTAL_MAJOR} ${order.currency}` });
    }
  })
  .transform((order): OrderCompleted => order);
