import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a conversion pixel URL says, each field as its query parameter. */
export interface PixelOrder {
  order: string;
  amount: string;
  currency: string;
  subscriber?: string;
  anonymous?: string;
}

/**
 * The `sig` of a conversion pixel URL: HMAC-SHA256 (hex) under
 * OPENTIME_CONVERSION_SECRET over one line per field, in this order, empty
 * for an absent one (README "Conversions and revenue"). The shop computes it
 * on its server when it renders the thank-you page, so the browser never
 * holds the secret and cannot change the amount or the order.
 */
export function pixelSignature(secret: string, order: PixelOrder): string {
  const text = [`order=${order.order}`, `amount=${order.amount}`, `currency=${order.currency}`, `subscriber=${order.subscriber ?? ''}`, `anonymous=${order.anonymous ?? ''}`].join('\n');
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

/** Compares in constant time, so the answer's timing says nothing about a forged signature. */
export function isPixelSignatureValid(secret: string, order: PixelOrder, signature: string): boolean {
  const expected = Buffer.from(pixelSignature(secret, order), 'hex');
  const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
