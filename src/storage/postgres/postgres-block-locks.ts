import type { Pool } from 'pg';
import type { BlockLockStore, FrozenView } from '../ports/block-locks';

const SQL = {
  get:
    'SELECT campaign_id AS "campaignId", block_id AS "blockId", subscriber_id AS "subscriberId", view, variant, ' +
    'message_variant AS "messageVariant", locked_at AS "lockedAt" FROM block_locks WHERE campaign_id = $1 AND block_id = $2 AND subscriber_id = $3',
  // DO NOTHING: the first lock wins, whichever connection wrote it, and RETURNING names the rows
  // THIS statement inserted. A claim that meets another connection's uncommitted lock of the same
  // key waits for it, then inserts nothing (PostgreSQL manual, "INSERT", ON CONFLICT). Within one
  // call the first of two locks with one key goes in first (ORDER BY its position) and the second
  // then conflicts with it; keys are taken in key order so that two calls never wait on each other
  // in a cycle.
  claim:
    'INSERT INTO block_locks (campaign_id, block_id, subscriber_id, view, variant, message_variant, locked_at) ' +
    'SELECT l."campaignId", l."blockId", l."subscriberId", l.view, l.variant, l."messageVariant", l."lockedAt" ' +
    'FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS ("campaignId" text, "blockId" text, "subscriberId" text, view jsonb, variant text, "messageVariant" text, "lockedAt" bigint)) ' +
    'WITH ORDINALITY AS l("campaignId", "blockId", "subscriberId", view, variant, "messageVariant", "lockedAt", position) ' +
    'ORDER BY l."campaignId" COLLATE "C", l."blockId" COLLATE "C", l."subscriberId" COLLATE "C", l.position ' +
    'ON CONFLICT (campaign_id, block_id, subscriber_id) DO NOTHING ' +
    'RETURNING campaign_id, block_id, subscriber_id',
} as const;

const keyOf = (campaignId: string, blockId: string, subscriberId: string): string => JSON.stringify([campaignId, blockId, subscriberId]);

/**
 * Frozen views on PostgreSQL (table `block_locks`). A claim is one statement
 * on the pool: committed when it resolves, and of any number of concurrent
 * claims of one key, on any number of pools, exactly one inserts the row.
 */
export class PostgresBlockLocks implements BlockLockStore {
  constructor(private readonly pool: Pool) {}

  async get(campaignId: string, blockId: string, subscriberId: string): Promise<FrozenView | undefined> {
    const result = await this.pool.query<FrozenView>({ name: 'opentime.get-lock', text: SQL.get, values: [campaignId, blockId, subscriberId] });
    return result.rows[0];
  }

  async claim(locks: readonly FrozenView[]): Promise<boolean[]> {
    if (locks.length === 0) return [];
    const result = await this.pool.query<{ campaign_id: string; block_id: string; subscriber_id: string }>({ text: SQL.claim, values: [JSON.stringify(locks)] });
    const inserted = new Set(result.rows.map((row) => keyOf(row.campaign_id, row.block_id, row.subscriber_id)));
    // A key this call inserted was won by its first lock in the call; a repeat of it lost to that one.
    const seen = new Set<string>();
    return locks.map((lock) => {
      const key = keyOf(lock.campaignId, lock.blockId, lock.subscriberId);
      const first = !seen.has(key);
      seen.add(key);
      return first && inserted.has(key);
    });
  }
}
