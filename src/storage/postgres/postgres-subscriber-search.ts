import type { Pool } from 'pg';
import { likeLiteral, searchLimit, type SubscriberSearch, type SubscriberSummary } from '../ports/subscriber-search';

/** ILIKE for SQLite's case-blind LIKE; ids compare in byte order (COLLATE "C", as the column is) so the order matches SQLite's. */
const SEARCH_SQL = `
  SELECT id, first_name AS "firstName", locale, time_zone AS "timeZone", country
  FROM subscribers
  WHERE id ILIKE $1 OR first_name ILIKE $2
  ORDER BY (id ILIKE $1) DESC, id
  LIMIT $3`;

export class PostgresSubscriberSearch implements SubscriberSearch {
  constructor(private readonly pool: Pool) {}

  async searchSubscribers(query: string, limit?: number): Promise<SubscriberSummary[]> {
    const text = query.trim();
    if (text === '') return [];
    const literal = likeLiteral(text);
    const result = await this.pool.query<SubscriberSummary>(SEARCH_SQL, [`${literal}%`, `%${literal}%`, searchLimit(limit)]);
    return result.rows;
  }
}
