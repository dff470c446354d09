/** What a subscriber search shows of each match: enough to pick one, no profile data beyond that. */
export interface SubscriberSummary {
  id: string;
  firstName: string;
  locale: string;
  timeZone: string;
  country: string | null;
}

/** Most matches a search answers (a picker shows them, a person refines the query). */
export const SUBSCRIBER_SEARCH_LIMIT = 20;

/**
 * Finds subscribers by id or name for people (the console's subscriber
 * picker, GET /api/v1/subscribers?q=). Not on the catalogue reader: a name
 * search may read the whole table, which an open must never do; this is for
 * a person typing, at most a few queries a second.
 *
 * Promises (test/storage/contract.ts): matches are subscribers whose id
 * starts with `query` or whose first name contains it, both ignoring ASCII
 * case; `%`, `_` and `\` match themselves; id-prefix matches come first,
 * then by id; at most `limit` (capped at SUBSCRIBER_SEARCH_LIMIT); an empty
 * query matches nothing; a committed write is found.
 */
export interface SubscriberSearch {
  searchSubscribers(query: string, limit?: number): Promise<SubscriberSummary[]>;
}

/** `text` as a LIKE pattern that matches it literally (escape character "\"). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export function searchLimit(limit: number | undefined): number {
  return Math.max(1, Math.min(SUBSCRIBER_SEARCH_LIMIT, Math.floor(limit ?? SUBSCRIBER_SEARCH_LIMIT)));
}
