import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Optional request signing for webhooks, the scheme payment providers use:
 * header `Opentime-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
 * The timestamp is inside the signed text and must be within the tolerance
 * window, so a captured request cannot be replayed later.
 */
export const SIGNATURE_HEADER = 'opentime-signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type SignatureProblem = 'missing' | 'malformed' | 'outside_tolerance' | 'mismatch';

export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
  constructor(readonly problem: SignatureProblem, message: string) {
    super(message);
  }
}

export function signWebhookBody(secret: string, body: Buffer | string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** Throws WebhookSignatureError unless one of the `v1` signatures matches, in constant time. */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: Buffer,
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): void {
  if (!header) throw new WebhookSignatureError('missing', `Missing ${SIGNATURE_HEADER} header. Expected "t=<unix seconds>,v1=<hex HMAC-SHA256 of \\"t.body\\">".`);
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) {
    throw new WebhookSignatureError('malformed', `Malformed ${SIGNATURE_HEADER} header. Expected "t=<unix seconds>,v1=<64 hex digits>".`);
  }
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) {
    throw new WebhookSignatureError('outside_tolerance', `The signature timestamp is more than ${toleranceSeconds} s from the server clock: rejected as a possible replay.`);
  }
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex'), 'utf8');
  const matches = candidates.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'utf8'), expected));
  if (!matches) throw new WebhookSignatureError('mismatch', 'The signature does not match the body: check the signing secret and that the raw body is signed.');
}
