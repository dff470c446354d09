import type { Database, Statement } from 'better-sqlite3';
import { backInStockMessage, restockedProducts } from '../../data/restock';
import type { Product } from '../../data/model';
import type { NotifyRequest, NotifyRequestStore } from '../ports/notify-requests';

interface RequestRow {
  subscriber_id: string;
  product_id: string;
  campaign_id: string;
  requested_at: number;
  notified_at: number | null;
}

const COLUMNS = 'subscriber_id, product_id, campaign_id, requested_at, notified_at';

/** Notify-me requests on SQLite (table `notify_requests`, migration 10). */
export class SqliteNotifyRequests implements NotifyRequestStore {
  private readonly stmtRequest: Statement<[string, string, string, number]>;

  constructor(private readonly db: Database) {
    // A request waiting already stays as it is (its first time kept); one notified before is armed again.
    this.stmtRequest = db.prepare(
      'INSERT INTO notify_requests (subscriber_id, product_id, campaign_id, requested_at, notified_at) VALUES (?, ?, ?, ?, NULL) ' +
        'ON CONFLICT (subscriber_id, product_id) DO UPDATE SET campaign_id = excluded.campaign_id, requested_at = excluded.requested_at, notified_at = NULL ' +
        'WHERE notify_requests.notified_at IS NOT NULL',
    );
  }

  async request(request: Omit<NotifyRequest, 'notifiedAt'>): Promise<boolean> {
    return this.stmtRequest.run(request.subscriberId, request.productId, request.campaignId, request.requestedAt).changes === 1;
  }

  async list(filter: { productId?: string; waiting?: boolean; limit: number }): Promise<NotifyRequest[]> {
    const where: string[] = [];
    const values: (string | number)[] = [];
    if (filter.productId !== undefined) {
      where.push('product_id = ?');
      values.push(filter.productId);
    }
    if (filter.waiting !== undefined) where.push(filter.waiting ? 'notified_at IS NULL' : 'notified_at IS NOT NULL');
    const sql = `SELECT ${COLUMNS} FROM notify_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY product_id, requested_at, subscriber_id LIMIT ?`;
    const rows = this.db.prepare(sql).all(...values, Math.max(0, filter.limit)) as RequestRow[];
    return rows.map(toRequest);
  }
}

function toRequest(row: RequestRow): NotifyRequest {
  return { subscriberId: row.subscriber_id, productId: row.product_id, campaignId: row.campaign_id, requestedAt: row.requested_at, notifiedAt: row.notified_at };
}

/**
 * Called inside the ingestion transaction that writes product patches
 * (sqlite-ingestion.ts): for each product it takes from 0 to some stock,
 * marks the waiting requests notified and queues one webhook each.
 */
export function restockNotifier(db: Database): (stored: ReadonlyMap<string, Product>, written: readonly Product[], now: Date) => void {
  const stmtWaiting: Statement<[string], RequestRow> = db.prepare(
    `SELECT ${COLUMNS} FROM notify_requests WHERE product_id = ? AND notified_at IS NULL ORDER BY requested_at, subscriber_id`,
  );
  const stmtNotified: Statement<[number, string, string]> = db.prepare('UPDATE notify_requests SET notified_at = ? WHERE subscriber_id = ? AND product_id = ?');
  const stmtQueue: Statement<[string, string, string, number, number]> = db.prepare(
    'INSERT INTO webhook_outbox (event_id, type, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING',
  );
  return (stored, written, now) => {
    const at = now.getTime();
    for (const product of restockedProducts(stored, written)) {
      for (const row of stmtWaiting.all(product.id)) {
        const message = backInStockMessage(product, toRequest(row), at);
        stmtQueue.run(message.eventId, message.type, message.body, message.createdAt, at);
        stmtNotified.run(at, row.subscriber_id, row.product_id);
      }
    }
  };
}
