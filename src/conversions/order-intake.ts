import type { IdentityStore } from '../storage/ports/identity';
import type { OrderLine, OrderRecord, OrderStore } from '../storage/ports/orders';
import { toMinorUnits } from './money';

/** An `order_completed` event as the events API validated it (api/payload-schemas.ts) or the conversion pixel read it. */
export interface OrderCompleted {
  orderId: string;
  subscriberId?: string;
  anonymousId?: string;
  occurredAt: string;
  currency: string;
  lines: readonly { productId: string; quantity: number; amount: string | number }[];
  /** The pixel knows only the total; the API's orders have lines and their sum is the total. */
  totalMinor?: number;
}

/** How orders are attributed (README "Conversions and revenue"; OPENTIME_ATTRIBUTION_WINDOW_DAYS). */
export interface AttributionSettings {
  windowDays: number;
}

export const DEFAULT_ATTRIBUTION_WINDOW_DAYS = 7;

const DAY_MS = 86_400_000;

/** The order's total in minor units: Σ quantity × unit amount (the schema has checked every amount already). */
export function orderTotalMinor(order: Pick<OrderCompleted, 'currency' | 'lines' | 'totalMinor'>): number {
  if (order.totalMinor !== undefined) return order.totalMinor;
  return order.lines.reduce((sum, line) => sum + line.quantity * (toMinorUnits(line.amount, order.currency) ?? 0), 0);
}

/**
 * Records orders with their attribution, found now, at order time
 * (docs/ARCHITECTURE.md "Conversions"): for a known subscriber, the last
 * click and the last human open of any campaign's block within the window
 * before the order was placed. Both are stored, so a report can credit
 * either model without reading the render log again. An order naming only
 * an anonymous id is credited to the subscriber an `identify` has linked it
 * to (docs/ARCHITECTURE.md, "Identity"); one not linked yet is stored
 * without touches and credited when an `identify` links it (`identified`).
 * A replayed order id changes nothing (the store's primary key).
 */
export class OrderIntake {
  constructor(
    private readonly store: Pick<OrderStore, 'recordOrders' | 'lastTouches' | 'awaitingIdentity' | 'creditAnonymous'>,
    private readonly settings: AttributionSettings,
    private readonly identity?: Pick<IdentityStore, 'subscriberIdFor'>,
  ) {}

  async record(orders: readonly OrderCompleted[], receivedAt: Date): Promise<{ recorded: string[]; duplicates: string[] }> {
    const records = await Promise.all(
      orders.map(async (order): Promise<OrderRecord> => {
        const placedAt = Date.parse(order.occurredAt);
        const subscriberId = order.subscriberId ?? (order.anonymousId !== undefined ? await this.identity?.subscriberIdFor(order.anonymousId) : undefined);
        const touches = subscriberId === undefined ? { click: null, open: null } : await this.touchesBefore(subscriberId, placedAt);
        return {
          orderId: order.orderId,
          subscriberId: subscriberId ?? null,
          anonymousId: order.anonymousId ?? null,
          occurredAt: placedAt,
          receivedAt: receivedAt.getTime(),
          currency: order.currency,
          totalMinor: orderTotalMinor(order),
          lines: order.lines.map((line): OrderLine => ({ productId: line.productId, quantity: line.quantity, unitAmount: String(line.amount) })),
          click: touches.click,
          open: touches.open,
        };
      }),
    );
    return this.store.recordOrders(records);
  }

  /**
   * Credits the orders that waited for these links (an `identify` just
   * applied): each as if it had named the subscriber, with the touches
   * before the moment it was placed. Returns how many were credited.
   */
  async identified(links: readonly { anonymousId: string; subscriberId: string }[]): Promise<number> {
    const credits = await Promise.all(
      links.map(async ({ anonymousId, subscriberId }) =>
        Promise.all(
          (await this.store.awaitingIdentity(anonymousId)).map(async (order) => ({
            orderId: order.orderId,
            subscriberId,
            ...(await this.touchesBefore(subscriberId, order.occurredAt)),
          })),
        ),
      ),
    );
    return this.store.creditAnonymous(credits.flat());
  }

  /** The subscriber's last click and last human open within the window before `placedAt` (epoch ms). */
  private touchesBefore(subscriberId: string, placedAt: number): ReturnType<OrderStore['lastTouches']> {
    return this.store.lastTouches(subscriberId, placedAt - this.settings.windowDays * DAY_MS, placedAt);
  }
}
