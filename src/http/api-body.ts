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
      if (error) return next(bodyReadError(error, options.limitBytes, req.get('Content-Encoding')));
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

/**
 * Maps what reading the body can fail with to catalogue answers. body-parser's own errors carry a
 * `type`; a body that does not decode as its Content-Encoding says (gzip that is not gzip, a
 * truncated deflate stream) reaches us as a zlib error wrapped in a 400 without one. Every
 * such failure is the sender's to fix, so none may become a 500.
 */
function bodyReadError(error: unknown, limitBytes: number, contentEncoding: string | undefined): unknown {
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.too.large') {
    return new HttpError('payload_too_large', `The limit is ${limitBytes} bytes; split the batch (at most ${MAX_BATCH} records per request).`, { cause: error });
  }
  if (type === 'encoding.unsupported') {
    return new HttpError('unsupported_media_type', 'Content-Encoding must be gzip, deflate, br or identity.', { cause: error });
  }
  if (typeof type === 'string') return new HttpError('bad_request', (error as Error).message, { cause: error });
  if (isZlibError(error)) {
    const encoding = (contentEncoding ?? '').trim().toLowerCase().slice(0, 16);
    return new HttpError('bad_request', `The body is not valid ${encoding} data, as its Content-Encoding says.`, { cause: error });
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new HttpError('bad_request', 'The request body could not be read.', { cause: error });
  return error;
}

/** zlib's decoding errors as Node codes them: Z_DATA_ERROR, Z_BUF_ERROR (truncated), and brotli's ERR__ERROR_FORMAT_…. */
function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR__ERROR_'));
}
