import type { Product } from './model';
import type { NotifyRequest } from '../storage/ports/notify-requests';

/**
 * Stock returning, as ingestion sees it: the pure rule every storage adapter
 * applies inside the transaction that writes a batch of product patches, so
 * a restock is announced once whichever path wrote it (API, import, feeds).
 */

/** The products of a batch whose stock goes from 0 (or below, or not stored yet) to above 0. */
export function restockedProducts(stored: ReadonlyMap<string, Product>, written: readonly Product[]): Product[] {
  return written.filter((product) => product.stock > 0 && (stored.get(product.id)?.stock ?? 0) <= 0);
}

export const BACK_IN_STOCK = 'product.back_in_stock';

/** A message of the webhook outbox, before it is stored. */
export interface OutboxEntry {
  eventId: string;
  type: string;
  body: string;
  createdAt: number;
}

/**
 * The `product.back_in_stock` webhook for one waiting request (README,
 * "Interactive AMP forms"): one per subscriber, so the receiver (an ESP
 * journey) can send each reader their own email.
 */
export function backInStockMessage(product: Product, request: Pick<NotifyRequest, 'subscriberId' | 'campaignId' | 'requestedAt'>, at: number): OutboxEntry {
  const eventId = `${BACK_IN_STOCK}:${product.id}:${request.subscriberId}:${request.requestedAt}`;
  const body = JSON.stringify({
    id: eventId,
    type: BACK_IN_STOCK,
    occurredAt: new Date(at).toISOString(),
    subscriberId: request.subscriberId,
    campaignId: request.campaignId,
    requestedAt: new Date(request.requestedAt).toISOString(),
    product: { id: product.id, name: product.name, url: product.url, image: product.image, stock: product.stock, price: product.price, salePrice: product.salePrice, currency: product.currency },
  });
  return { eventId, type: BACK_IN_STOCK, body, createdAt: at };
}
