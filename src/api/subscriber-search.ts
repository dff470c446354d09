import { HttpError } from '../http/error-catalogue';
import type { SubscriberSearch, SubscriberSummary } from '../storage/ports/subscriber-search';

/**
 * GET /api/v1/subscribers?q= and the console's subscriber picker: up to 20
 * subscribers whose id starts with `q` or whose first name contains it
 * (storage/ports/subscriber-search.ts).
 */
export async function searchSubscribers(search: SubscriberSearch, query: unknown): Promise<SubscriberSummary[]> {
  if (typeof query !== 'string' || query.trim() === '' || query.length > 128) {
    throw new HttpError('bad_request', 'Expected the query parameter q: 1–128 characters of a subscriber id (its start) or first name (any part).');
  }
  return search.searchSubscribers(query);
}
