import type { Database, Statement } from 'better-sqlite3';
import type { BlockView } from '../kinds/registry';
import type { FrozenView } from './locks';

interface LockRow {
  campaign_id: string;
  block_id: string;
  subscriber_id: string;
  view: string;
  variant: string | null;
  message_variant: string | null;
  locked_at: number;
}

/** The SQL behind BlockLockStore (table `block_locks`, migration 5). SqliteStore delegates here. */
export class SqliteBlockLocks {
  private readonly stmtGet: Statement<[string, string, string], LockRow>;
  private readonly stmtInsert: Statement<[LockRow]>;
  private readonly stmtPrune: Statement<[number, number]>;
  private readonly insertTx: (locks: readonly FrozenView[]) => boolean[];

  constructor(db: Database) {
    this.stmtGet = db.prepare(
      'SELECT campaign_id, block_id, subscriber_id, view, variant, message_variant, locked_at FROM block_locks ' +
        'WHERE campaign_id = ? AND block_id = ? AND subscriber_id = ?',
    );
    // OR IGNORE: the first lock wins; `changes` tells the caller whether this one was it.
    this.stmtInsert = db.prepare(
      'INSERT OR IGNORE INTO block_locks (campaign_id, block_id, subscriber_id, view, variant, message_variant, locked_at) ' +
        'VALUES (@campaign_id, @block_id, @subscriber_id, @view, @variant, @message_variant, @locked_at)',
    );
    this.stmtPrune = db.prepare(
      'DELETE FROM block_locks WHERE rowid IN (SELECT rowid FROM block_locks WHERE locked_at < ? LIMIT ?)',
    );
    this.insertTx = db.transaction((locks: readonly FrozenView[]) =>
      locks.map(
        (lock) =>
          this.stmtInsert.run({
            campaign_id: lock.campaignId,
            block_id: lock.blockId,
            subscriber_id: lock.subscriberId,
            view: JSON.stringify(lock.view),
            variant: lock.variant,
            message_variant: lock.messageVariant,
            locked_at: lock.lockedAt,
          }).changes === 1,
      ),
    );
  }

  get(campaignId: string, blockId: string, subscriberId: string): FrozenView | undefined {
    const row = this.stmtGet.get(campaignId, blockId, subscriberId);
    if (!row) return undefined;
    return {
      campaignId: row.campaign_id,
      blockId: row.block_id,
      subscriberId: row.subscriber_id,
      view: JSON.parse(row.view) as BlockView,
      variant: row.variant,
      messageVariant: row.message_variant,
      lockedAt: row.locked_at,
    };
  }

  insert(locks: readonly FrozenView[]): boolean[] {
    return locks.length === 0 ? [] : this.insertTx(locks);
  }

  prune(before: Date, limit: number): number {
    return this.stmtPrune.run(before.getTime(), limit).changes;
  }
}
