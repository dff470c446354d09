import type { Pool } from 'pg';
import { backInStockMessage, restockedProducts } from '../../data/restock';
import type { Product } from '../../data/model';
import type { NotifyRequest, NotifyRequestStore } from '../ports/notify-requests';
import type { Queryable } from './rows';

const SELECTED =
  'subscriber_id AS "subscriberId", product_id AS "productId", campaign_id AS "campaignId", requested_at AS "requestedAt", notified_at AS "notifiedAt"';

const SQL = {
  // A waiting request stays as it is; one notified before is armed again.
  request:
    'INSERT INTO notify_requests (subscriber_id, product_id, campaign_id, requested_at, notified_at) VALUES ($1, $2, $3, $4, NULL) ' +
    'ON CONFLICT (subscriber_id, product_id) DO UPDATE SET campaign_id = excluded.campaign_id, requested_at = excluded.requested_at, notified_at = NULL ' +
    'WHERE notify_requests.notified_at IS NOT NULL',
  list:
    `SELECT ${SELECTED} FROM notify_requests WHERE ($1::text IS NULL OR product_id = $1) ` +
    'AND ($2::boolean IS NULL OR (notified_at IS NULL) = $2) ORDER BY product_id, requested_at, subscriber_id LIMIT $3',
  notify:
    'UPDATE notify_requests SET notified_at = $2 WHERE product_id = $1 AND notified_at IS NULL ' +
    'RETURNING subscriber_id AS "subscriberId", campaign_id AS "campaignId", requested_at AS "requestedAt"',
  queue:
    'INSERT INTO webhook_outbox (event_id, type, body, created_at, next_attempt_at) ' +
    'SELECT m.event_id, m.type, m.body, $4, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS m(event_id, type, body) ' +
    'ORDER BY m.event_id COLLATE "C" ON CONFLICT (event_id) DO NOTHING',
} as const;

/** Notify-me requests on PostgreSQL (table `notify_requests`). */
export class PostgresNotifyRequests implements NotifyRequestStore {
  constructor(private readonly pool: Pool) {}

  async request(request: Omit<NotifyRequest, 'notifiedAt'>): Promise<boolean> {
    const result = await this.pool.query({ text: SQL.request, values: [request.subscriberId, request.productId, request.campaignId, request.requestedAt] });
    return result.rowCount === 1;
  }

  async list(filter: { productId?: string; waiting?: boolean; limit: number }): Promise<NotifyRequest[]> {
    const result = await this.pool.query<NotifyRequest>({ text: SQL.list, values: [filter.productId ?? null, filter.waiting ?? null, Math.max(0, filter.limit)] });
    return result.rows;
  }
}

/**
 * Called inside the ingestion transaction that writes product patches
 * (postgres-ingestion.ts), after the products are locked and written: the
 * restocked products' waiting requests are marked notified and one webhook
 * each is queued, in that transaction. Two batches restocking one product
 * queue on its row lock, and the second finds nothing waiting.
 */
export async function notifyRestocks(client: Queryable, stored: ReadonlyMap<string, Product>, written: readonly Product[], now: Date): Promise<void> {
  const at = now.getTime();
  for (const product of restockedProducts(stored, written)) {
    const waiting = await client.query<{ subscriberId: string; campaignId: string; requestedAt: number }>({ text: SQL.notify, values: [product.id, at] });
    if (waiting.rows.length === 0) continue;
    const messages = waiting.rows.map((request) => backInStockMessage(product, request, at));
    await client.query({ text: SQL.queue, values: [messages.map((m) => m.eventId), messages.map((m) => m.type), messages.map((m) => m.body), at] });
  }
}
