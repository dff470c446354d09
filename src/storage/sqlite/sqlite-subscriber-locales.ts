import type { Database, Statement } from 'better-sqlite3';
import type { LocaleCount, SubscriberLocales } from '../ports/subscriber-locales';

/** One pass over the subscribers (start-up and validation only: ports/subscriber-locales.ts). */
const LOCALE_COUNTS_SQL = 'SELECT locale, COUNT(*) AS subscribers FROM subscribers GROUP BY locale ORDER BY subscribers DESC, locale';

export class SqliteSubscriberLocales implements SubscriberLocales {
  private readonly stmtLocaleCounts: Statement<[], LocaleCount>;

  constructor(db: Database) {
    this.stmtLocaleCounts = db.prepare(LOCALE_COUNTS_SQL);
  }

  async localeCounts(): Promise<LocaleCount[]> {
    return this.stmtLocaleCounts.all();
  }
}
