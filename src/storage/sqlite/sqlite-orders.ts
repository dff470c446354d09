import type { Database, Statement, Transaction } from 'better-sqlite3';
import { orderOfRow, type OrderColumns } from '../order-rows';
import type { AnonymousCredit, AttributionModel, CampaignOrderRow, OrderRecord, OrderStore, Touch } from '../ports/orders';

interface TouchRow {
  campaign_id: string;
  block_id: string;
  variant: string | null;
  at: number;
}

interface OrderRow extends OrderColumns {
  /** JSON text. */
  lines: string;
}

const touchOf = (row: TouchRow | undefined): Touch | null =>
  row ? { campaignId: row.campaign_id, blockId: row.block_id, variant: row.variant, at: row.at } : null;

/** The rows of one campaign under one model; the column names come from this fixed table, never from input. */
const CAMPAIGN_ROWS_SQL: Record<AttributionModel, string> = {
  last_click:
    'SELECT click_block_id AS blockId, click_variant AS variant, currency, subscriber_id AS subscriberId, COUNT(*) AS orders, SUM(total_minor) AS revenueMinor ' +
    'FROM orders WHERE click_campaign_id = ? AND subscriber_id IS NOT NULL GROUP BY click_block_id, click_variant, currency, subscriber_id',
  last_open:
    'SELECT open_block_id AS blockId, open_variant AS variant, currency, subscriber_id AS subscriberId, COUNT(*) AS orders, SUM(total_minor) AS revenueMinor ' +
    'FROM orders WHERE open_campaign_id = ? AND subscriber_id IS NOT NULL GROUP BY open_block_id, open_variant, currency, subscriber_id',
};

/**
 * Orders on SQLite (table `orders`, migration 13). The primary key on the
 * order id makes a replay a no-op (INSERT … ON CONFLICT DO NOTHING, and the
 * statement's change count says which call wrote it). The touches are read
 * through the (subscriber, time) indexes of the render log and clicks.
 */
export class SqliteOrders implements OrderStore {
  private readonly recordTx: Transaction<(orders: readonly OrderRecord[]) => { recorded: string[]; duplicates: string[] }>;
  private readonly stmtLastClick: Statement<[string, number, number], TouchRow>;
  private readonly stmtLastOpen: Statement<[string, number, number], TouchRow>;
  private readonly stmtCampaignRows: Record<AttributionModel, Statement<[string], CampaignOrderRow>>;
  private readonly stmtGet: Statement<[string], OrderRow>;
  private readonly stmtAwaiting: Statement<[string], OrderRow>;
  private readonly creditTx: Transaction<(credits: readonly AnonymousCredit[]) => number>;

  constructor(db: Database) {
    const insert: Statement<unknown[]> = db.prepare(
      'INSERT INTO orders (order_id, subscriber_id, anonymous_id, occurred_at, received_at, currency, total_minor, lines, ' +
        'click_campaign_id, click_block_id, click_variant, click_at, open_campaign_id, open_block_id, open_variant, open_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING',
    );
    this.recordTx = db.transaction((orders: readonly OrderRecord[]) => {
      const recorded: string[] = [];
      const duplicates: string[] = [];
      for (const order of orders) {
        const { click, open } = order;
        const changes = insert.run(
          order.orderId, order.subscriberId, order.anonymousId, order.occurredAt, order.receivedAt, order.currency, order.totalMinor,
          JSON.stringify(order.lines),
          click?.campaignId ?? null, click?.blockId ?? null, click?.variant ?? null, click?.at ?? null,
          open?.campaignId ?? null, open?.blockId ?? null, open?.variant ?? null, open?.at ?? null,
        ).changes;
        (changes === 1 ? recorded : duplicates).push(order.orderId);
      }
      return { recorded, duplicates };
    });
    this.stmtLastClick = db.prepare(
      'SELECT campaign_id, block_id, variant, clicked_at AS at FROM clicks ' +
        'WHERE subscriber_id = ? AND clicked_at >= ? AND clicked_at <= ? ORDER BY clicked_at DESC, id DESC LIMIT 1',
    );
    this.stmtLastOpen = db.prepare(
      'SELECT campaign_id, block_id, variant, rendered_at AS at FROM render_log ' +
        'WHERE subscriber_id = ? AND prefetch = 0 AND rendered_at >= ? AND rendered_at <= ? ORDER BY rendered_at DESC, id DESC LIMIT 1',
    );
    this.stmtCampaignRows = { last_click: db.prepare(CAMPAIGN_ROWS_SQL.last_click), last_open: db.prepare(CAMPAIGN_ROWS_SQL.last_open) };
    this.stmtGet = db.prepare('SELECT * FROM orders WHERE order_id = ?');
    this.stmtAwaiting = db.prepare('SELECT * FROM orders WHERE anonymous_id = ? AND subscriber_id IS NULL ORDER BY occurred_at, order_id');
    const credit: Statement<unknown[]> = db.prepare(
      'UPDATE orders SET subscriber_id = ?, click_campaign_id = ?, click_block_id = ?, click_variant = ?, click_at = ?, ' +
        'open_campaign_id = ?, open_block_id = ?, open_variant = ?, open_at = ? WHERE order_id = ? AND subscriber_id IS NULL',
    );
    this.creditTx = db.transaction((credits: readonly AnonymousCredit[]) => {
      let credited = 0;
      for (const { orderId, subscriberId, click, open } of credits) {
        credited += credit.run(
          subscriberId,
          click?.campaignId ?? null, click?.blockId ?? null, click?.variant ?? null, click?.at ?? null,
          open?.campaignId ?? null, open?.blockId ?? null, open?.variant ?? null, open?.at ?? null,
          orderId,
        ).changes;
      }
      return credited;
    });
  }

  async awaitingIdentity(anonymousId: string): Promise<OrderRecord[]> {
    return this.stmtAwaiting.all(anonymousId).map(orderOf);
  }

  async creditAnonymous(credits: readonly AnonymousCredit[]): Promise<number> {
    return credits.length === 0 ? 0 : this.creditTx.immediate(credits);
  }

  async recordOrders(orders: readonly OrderRecord[]): Promise<{ recorded: string[]; duplicates: string[] }> {
    if (orders.length === 0) return { recorded: [], duplicates: [] };
    return this.recordTx.immediate(orders);
  }

  async lastTouches(subscriberId: string, since: number, until: number): Promise<{ click: Touch | null; open: Touch | null }> {
    return {
      click: touchOf(this.stmtLastClick.get(subscriberId, since, until)),
      open: touchOf(this.stmtLastOpen.get(subscriberId, since, until)),
    };
  }

  async campaignOrderRows(campaignId: string, model: AttributionModel): Promise<CampaignOrderRow[]> {
    return this.stmtCampaignRows[model].all(campaignId);
  }

  async getOrder(orderId: string): Promise<OrderRecord | undefined> {
    const row = this.stmtGet.get(orderId);
    return row && orderOf(row);
  }
}

function orderOf(row: OrderRow): OrderRecord {
  return orderOfRow(row, JSON.parse(row.lines) as OrderRecord['lines']);
}
