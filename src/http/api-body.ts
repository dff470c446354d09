import express, { type RequestHandler } from 'express';
import { MAX_BATCH } from '../api/payload-schemas';
import { verifyWebhookSignature, WebhookSignatureError, SIGNATURE_HEADER } from '../api/webhook-signature';
import { HttpError } from './error-catalogue';

export interface ApiBodyOptions {
  /** Largest accepted body in bytes (after Content-Encoding is undone). */
  limitBytes: number;
  /** When set, every body must carry a valid Opentime-Signature made with this secret. */
  webhookSecret?: string;
  toleranceSeconds?: number;
  now: () => Date;
}

/**
 * Reads an ingestion body as RAW bytes, checks the webhook signature over
 * exactly those bytes (re-serialised JSON would not match what was signed),
 * then parses the JSON into `req.body`. Each failure is a catalogue answer:
 * 415 not JSON, 413 too large, 401 bad signature, 400 not parseable.
 */
export function apiJsonBody(options: ApiBodyOptions): RequestHandler {
  const readRaw = express.raw({ type: () => true, limit: options.limitBytes });
  return (req, res, next) => {
    if (!req.is('application/json')) {
      return next(new HttpError('unsupported_media_type', `Received Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')}.`));
    }
    readRaw(req, res, (error?: unknown) => {
      if (error) return next(bodyReadError(error, options.limitBytes));
      const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (options.webhookSecret !== undefined) {
        try {
          verifyWebhookSignature(options.webhookSecret, req.get(SIGNATURE_HEADER), raw, options.now(), options.toleranceSeconds);
        } catch (problem) {
          if (problem instanceof WebhookSignatureError) return next(new HttpError('signature_invalid', problem.message, { cause: problem }));
          return next(problem);
        }
      }
      try {
        req.body = JSON.parse(raw.toString('utf8')) as unknown;
      } catch (parseError) {
        return next(new HttpError('bad_request', `The body is not valid JSON: ${(parseError as Error).message}`));
      }
      next();
    });
  };
}

/** body-parser errors carry a `type`; map the ones a sender can fix to their catalogue codes. */
function bodyReadError(error: unknown, limitBytes: number): unknown {
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.too.large') {
    return new HttpError('payload_too_large', `The limit is ${limitBytes} bytes; split the batch (at most ${MAX_BATCH} records per request).`, { cause: error });
  }
  if (type === 'encoding.unsupported') {
    return new HttpError('unsupported_media_type', 'Content-Encoding must be gzip, deflate, br or identity.', { cause: error });
  }
  if (typeof type === 'string') return new HttpError('bad_request', (error as Error).message, { cause: error });
  return error;
}
