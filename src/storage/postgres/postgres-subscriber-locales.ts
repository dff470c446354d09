import type { Pool } from 'pg';
import type { LocaleCount, SubscriberLocales } from '../ports/subscriber-locales';

/**
 * One pass over the subscribers (start-up and validation only: ports/subscriber-locales.ts);
 * `locale` is compared in byte order (COLLATE "C") so ties sort as on SQLite.
 */
const LOCALE_COUNTS_SQL =
  'SELECT locale, count(*)::int AS subscribers FROM subscribers GROUP BY locale ORDER BY subscribers DESC, locale COLLATE "C"';

export class PostgresSubscriberLocales implements SubscriberLocales {
  constructor(private readonly pool: Pool) {}

  async localeCounts(): Promise<LocaleCount[]> {
    const result = await this.pool.query<LocaleCount>(LOCALE_COUNTS_SQL);
    return result.rows;
  }
}
