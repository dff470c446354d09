import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { BlockView } from '../../kinds/registry';
import type { BlockLockStore, FrozenView } from '../ports/block-locks';

interface LockRow {
  campaign_id: string;
  block_id: string;
  subscriber_id: string;
  view: string;
  variant: string | null;
  message_variant: string | null;
  locked_at: number;
}

/** Frozen views on SQLite (table `block_locks`, migration 5). */
export class SqliteBlockLocks implements BlockLockStore {
  private readonly stmtGet: Statement<[string, string, string], LockRow>;
  private readonly claimTx: Transaction<(locks: readonly FrozenView[]) => boolean[]>;

  constructor(db: Database) {
    this.stmtGet = db.prepare(
      'SELECT campaign_id, block_id, subscriber_id, view, variant, message_variant, locked_at FROM block_locks ' +
        'WHERE campaign_id = ? AND block_id = ? AND subscriber_id = ?',
    );
    // DO NOTHING: the first lock wins, whichever connection wrote it; `changes` says whether this one did.
    const stmtInsert: Statement<[LockRow]> = db.prepare(
      'INSERT INTO block_locks (campaign_id, block_id, subscriber_id, view, variant, message_variant, locked_at) ' +
        'VALUES (@campaign_id, @block_id, @subscriber_id, @view, @variant, @message_variant, @locked_at) ' +
        'ON CONFLICT (campaign_id, block_id, subscriber_id) DO NOTHING',
    );
    this.claimTx = db.transaction((locks: readonly FrozenView[]) =>
      locks.map(
        (lock) =>
          stmtInsert.run({
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

  async get(campaignId: string, blockId: string, subscriberId: string): Promise<FrozenView | undefined> {
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

  // Immediate: the write lock is taken before the first insert, so claims from two connections queue on
  // busy_timeout instead of one failing with SQLITE_BUSY.
  async claim(locks: readonly FrozenView[]): Promise<boolean[]> {
    return locks.length === 0 ? [] : this.claimTx.immediate(locks);
  }
}
