import type { Pool } from 'pg';
import { orderOfRow, type OrderColumns } from '../order-rows';
import type { AnonymousCredit, AttributionModel, CampaignOrderRow, OrderLine, OrderRecord, OrderStore, Touch } from '../ports/orders';

const campaignRows = (touch: 'click' | 'open'): string =>
  `SELECT ${touch}_block_id AS "blockId", ${touch}_variant AS variant, currency, subscriber_id AS "subscriberId", ` +
  'COUNT(*) AS orders, SUM(total_minor)::bigint AS "revenueMinor" ' +
  `FROM orders WHERE ${touch}_campaign_id = $1 AND subscriber_id IS NOT NULL GROUP BY ${touch}_block_id, ${touch}_variant, currency, subscriber_id`;

const SQL = {
  // One statement per batch; DO NOTHING + RETURNING says which rows this call wrote: a row
  // another transaction is inserting is waited for, and then skipped (PostgreSQL manual,
  // "INSERT", ON CONFLICT). The batch arrives sorted by id, so two batches never wait in a cycle.
  record:
    'INSERT INTO orders (order_id, subscriber_id, anonymous_id, occurred_at, received_at, currency, total_minor, lines, ' +
    'click_campaign_id, click_block_id, click_variant, click_at, open_campaign_id, open_block_id, open_variant, open_at) ' +
    'SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::bigint[], $8::jsonb[], ' +
    '$9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[], $14::text[], $15::text[], $16::bigint[]) ' +
    'ON CONFLICT (order_id) DO NOTHING RETURNING order_id',
  // Both walk a (subscriber, time) index backwards from the order's time; the id breaks ties in append order.
  lastClick:
    'SELECT campaign_id AS "campaignId", block_id AS "blockId", variant, clicked_at AS at FROM clicks ' +
    'WHERE subscriber_id = $1 AND clicked_at >= $2 AND clicked_at <= $3 ORDER BY clicked_at DESC, id DESC LIMIT 1',
  lastOpen:
    'SELECT campaign_id AS "campaignId", block_id AS "blockId", variant, rendered_at AS at FROM render_log ' +
    'WHERE subscriber_id = $1 AND NOT prefetch AND rendered_at >= $2 AND rendered_at <= $3 ORDER BY rendered_at DESC, id DESC LIMIT 1',
  campaignRows: { last_click: campaignRows('click'), last_open: campaignRows('open') } satisfies Record<AttributionModel, string>,
  get: 'SELECT * FROM orders WHERE order_id = $1',
  awaiting: 'SELECT * FROM orders WHERE anonymous_id = $1 AND subscriber_id IS NULL ORDER BY occurred_at, order_id',
  // One statement for the batch; "subscriber_id IS NULL" re-checked on the row it updates, so two nodes crediting one order credit it once.
  credit:
    'UPDATE orders SET subscriber_id = c.subscriber_id, click_campaign_id = c.click_campaign_id, click_block_id = c.click_block_id, click_variant = c.click_variant, click_at = c.click_at, ' +
    'open_campaign_id = c.open_campaign_id, open_block_id = c.open_block_id, open_variant = c.open_variant, open_at = c.open_at ' +
    'FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::bigint[]) ' +
    'AS c(order_id, subscriber_id, click_campaign_id, click_block_id, click_variant, click_at, open_campaign_id, open_block_id, open_variant, open_at) ' +
    'WHERE orders.order_id = c.order_id AND orders.subscriber_id IS NULL',
} as const;

interface OrderRow extends OrderColumns {
  /** jsonb, parsed by pg. */
  lines: OrderLine[];
}

/** Orders on PostgreSQL (table `orders`, migration 7); see the port for what it promises. */
export class PostgresOrders implements OrderStore {
  constructor(private readonly pool: Pool) {}

  async recordOrders(orders: readonly OrderRecord[]): Promise<{ recorded: string[]; duplicates: string[] }> {
    // The first of two orders with one id in a batch is the one written, as on SQLite.
    const firsts = new Map<string, OrderRecord>();
    for (const order of orders) if (!firsts.has(order.orderId)) firsts.set(order.orderId, order);
    const rows = [...firsts.values()].sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
    if (rows.length === 0) return { recorded: [], duplicates: [] };
    const result = await this.pool.query<{ order_id: string }>({
      text: SQL.record,
      values: [
        rows.map((o) => o.orderId),
        rows.map((o) => o.subscriberId),
        rows.map((o) => o.anonymousId),
        rows.map((o) => o.occurredAt),
        rows.map((o) => o.receivedAt),
        rows.map((o) => o.currency),
        rows.map((o) => o.totalMinor),
        rows.map((o) => JSON.stringify(o.lines)),
        rows.map((o) => o.click?.campaignId ?? null),
        rows.map((o) => o.click?.blockId ?? null),
        rows.map((o) => o.click?.variant ?? null),
        rows.map((o) => o.click?.at ?? null),
        rows.map((o) => o.open?.campaignId ?? null),
        rows.map((o) => o.open?.blockId ?? null),
        rows.map((o) => o.open?.variant ?? null),
        rows.map((o) => o.open?.at ?? null),
      ],
    });
    const written = new Set(result.rows.map((row) => row.order_id));
    const recorded: string[] = [];
    const duplicates: string[] = [];
    for (const order of orders) {
      if (written.has(order.orderId) && firsts.get(order.orderId) === order) recorded.push(order.orderId);
      else duplicates.push(order.orderId);
    }
    return { recorded, duplicates };
  }

  async lastTouches(subscriberId: string, since: number, until: number): Promise<{ click: Touch | null; open: Touch | null }> {
    const values = [subscriberId, since, until];
    const [click, open] = await Promise.all([
      this.pool.query<Touch>({ name: 'opentime.orders-last-click', text: SQL.lastClick, values }),
      this.pool.query<Touch>({ name: 'opentime.orders-last-open', text: SQL.lastOpen, values }),
    ]);
    return { click: click.rows[0] ?? null, open: open.rows[0] ?? null };
  }

  async campaignOrderRows(campaignId: string, model: AttributionModel): Promise<CampaignOrderRow[]> {
    return (await this.pool.query<CampaignOrderRow>({ text: SQL.campaignRows[model], values: [campaignId] })).rows;
  }

  async awaitingIdentity(anonymousId: string): Promise<OrderRecord[]> {
    return (await this.pool.query<OrderRow>({ text: SQL.awaiting, values: [anonymousId] })).rows.map(orderOf);
  }

  async creditAnonymous(credits: readonly AnonymousCredit[]): Promise<number> {
    if (credits.length === 0) return 0;
    const rows = [...credits].sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
    const result = await this.pool.query({
      text: SQL.credit,
      values: [
        rows.map((c) => c.orderId),
        rows.map((c) => c.subscriberId),
        rows.map((c) => c.click?.campaignId ?? null),
        rows.map((c) => c.click?.blockId ?? null),
        rows.map((c) => c.click?.variant ?? null),
        rows.map((c) => c.click?.at ?? null),
        rows.map((c) => c.open?.campaignId ?? null),
        rows.map((c) => c.open?.blockId ?? null),
        rows.map((c) => c.open?.variant ?? null),
        rows.map((c) => c.open?.at ?? null),
      ],
    });
    return result.rowCount ?? 0;
  }

  async getOrder(orderId: string): Promise<OrderRecord | undefined> {
    const row = (await this.pool.query<OrderRow>({ text: SQL.get, values: [orderId] })).rows[0];
    return row && orderOf(row);
  }
}

function orderOf(row: OrderRow): OrderRecord {
  return orderOfRow(row, row.lines);
}
