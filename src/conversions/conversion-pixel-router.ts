import { Router, type Request, type Response } from 'express';
import type { Logger } from '../log';
import { TRANSPARENT_PIXEL_GIF } from '../render/encode';
import { cacheControl } from '../http/cache-policy';
import { currency, id } from '../api/payload-schemas';
import { toMinorUnits } from './money';
import type { OrderIntake } from './order-intake';
import { isPixelSignatureValid, type PixelOrder } from './pixel-signature';

export interface ConversionPixelDeps {
  orders: Pick<OrderIntake, 'record'>;
  /** OPENTIME_CONVERSION_SECRET; absent: every pixel is answered and nothing recorded. */
  secret: string | undefined;
  now: () => Date;
  logger?: Pick<Logger, 'warn'>;
}

/** Why a pixel recorded nothing, or that it did: the X-Opentime-Outcome header (README "Conversions and revenue"). */
export type PixelOutcome = 'recorded' | 'duplicate' | 'invalid' | 'forged' | 'disabled' | 'error';

const single = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function readPixel(query: Request['query']): PixelOrder | undefined {
  const order = single(query.order);
  const amount = single(query.amount);
  const code = single(query.currency);
  const subscriber = single(query.subscriber);
  const anonymous = single(query.anonymous);
  if (order === undefined || amount === undefined || code === undefined) return undefined;
  if (!id.safeParse(order).success || !currency.safeParse(code).success) return undefined;
  if ((subscriber === undefined) === (anonymous === undefined)) return undefined;
  if (![subscriber, anonymous].every((value) => value === undefined || id.safeParse(value).success)) return undefined;
  if (toMinorUnits(amount, code) === undefined) return undefined;
  return { order, amount, currency: code, ...(subscriber !== undefined ? { subscriber } : {}), ...(anonymous !== undefined ? { anonymous } : {}) };
}

/**
 * GET /c/v1/conversions.gif?order=…&amount=…&currency=…&subscriber=…&sig=…
 * — the conversion pixel, for shops that cannot call the events API. An
 * image endpoint always answers an image (docs/ARCHITECTURE.md, "Where errors
 * become fallbacks"): a 1×1 transparent GIF, never cached, whatever happened;
 * `X-Opentime-Outcome` says what. The order is recorded as an
 * `order_completed` with one line (the total) placed now, idempotent by its id.
 */
export function conversionPixelRouter(deps: ConversionPixelDeps): Router {
  const router = Router();
  router.get('/c/v1/conversions.gif', async (req: Request, res: Response) => {
    const answer = (outcome: PixelOutcome): void => {
      res.status(200);
      res.setHeader('Content-Type', 'image/gif');
      res.setHeader('Cache-Control', cacheControl('degraded'));
      res.setHeader('X-Opentime-Outcome', outcome);
      res.end(TRANSPARENT_PIXEL_GIF);
    };
    if (deps.secret === undefined) return answer('disabled');
    const pixel = readPixel(req.query);
    if (!pixel) return answer('invalid');
    if (!isPixelSignatureValid(deps.secret, pixel, single(req.query.sig) ?? '')) return answer('forged');
    try {
      const now = deps.now();
      const result = await deps.orders.record(
        [{
          orderId: pixel.order,
          ...(pixel.subscriber !== undefined ? { subscriberId: pixel.subscriber } : {}),
          ...(pixel.anonymous !== undefined ? { anonymousId: pixel.anonymous } : {}),
          occurredAt: now.toISOString(),
          currency: pixel.currency,
          lines: [],
          totalMinor: toMinorUnits(pixel.amount, pixel.currency) as number,
        }],
        now,
      );
      return answer(result.recorded.length ? 'recorded' : 'duplicate');
    } catch (error) {
      deps.logger?.warn({ err: error, order: pixel.order }, 'conversion pixel: the order could not be recorded');
      return answer('error');
    }
  });
  return router;
}
