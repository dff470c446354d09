/** A reader's request to be told when a sold-out product is back (a notify-me form). */
export interface NotifyRequest {
  subscriberId: string;
  productId: string;
  /** The campaign whose email the request came from. */
  campaignId: string;
  /** Epoch milliseconds. */
  requestedAt: number;
  /** Epoch milliseconds at which the product came back and the request was handed to the webhook outbox; null while waiting. */
  notifiedAt: number | null;
}

/**
 * Notify-me requests, one per subscriber and product.
 *
 * Promises every implementation keeps (test/storage/contract.ts):
 * - `request` stores at most one request per subscriber and product, across
 *   processes, and resolves true only when it created one or re-armed one
 *   already notified; asking again while waiting changes nothing (false);
 * - when an ingestion batch takes a product's stock from 0 (or less) to more
 *   than 0, the same transaction marks its waiting requests notified and puts
 *   one `product.back_in_stock` message per request in the webhook outbox
 *   (ports/webhook-outbox.ts), so a restock is announced once, whichever
 *   process or path (API, import) wrote it;
 * - `list` orders by product, then request time, then subscriber.
 */
export interface NotifyRequestStore {
  request(request: Omit<NotifyRequest, 'notifiedAt'>): Promise<boolean>;
  list(filter: { productId?: string; waiting?: boolean; limit: number }): Promise<NotifyRequest[]>;
}
