import type { Database, Statement } from 'better-sqlite3';
import { likeLiteral, searchLimit, type SubscriberSearch, type SubscriberSummary } from '../ports/subscriber-search';

/** SQLite's LIKE ignores ASCII case already; id-prefix matches sort first. */
const SEARCH_SQL = `
  SELECT id, first_name AS firstName, locale, time_zone AS timeZone, country
  FROM subscribers
  WHERE id LIKE @prefix ESCAPE '\\' OR first_name LIKE @contains ESCAPE '\\'
  ORDER BY (id LIKE @prefix ESCAPE '\\') DESC, id
  LIMIT @limit`;

export class SqliteSubscriberSearch implements SubscriberSearch {
  private readonly stmtSearch: Statement<{ prefix: string; contains: string; limit: number }, SubscriberSummary>;

  constructor(db: Database) {
    this.stmtSearch = db.prepare(SEARCH_SQL);
  }

  async searchSubscribers(query: string, limit?: number): Promise<SubscriberSummary[]> {
    const text = query.trim();
    if (text === '') return [];
    const literal = likeLiteral(text);
    return this.stmtSearch.all({ prefix: `${literal}%`, contains: `%${literal}%`, limit: searchLimit(limit) });
  }
}
