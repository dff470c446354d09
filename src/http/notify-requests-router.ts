import { Router, type Request, type Response } from 'express';
import type { ApiKeyring } from '../api/api-keys';
import type { NotifyRequestStore } from '../storage/ports/notify-requests';
import { requireApiKey, requireScope } from './api-auth';
import { cacheControl } from './cache-policy';
import { HttpError } from './error-catalogue';
import { sendJson } from './send-json';

const MAX_LIMIT = 1000;

/**
 * GET /api/v1/notify-requests?productId=&waiting=true|false&limit= — the
 * notify-me requests readers made (README, "Interactive AMP forms"), scope
 * `subscribers:read` (they name subscribers): by product, then request time.
 */
export function notifyRequestsRouter(deps: { keys: ApiKeyring; notifyRequests: NotifyRequestStore }): Router {
  const router = Router();
  router.get('/api/v1/notify-requests', requireApiKey(deps.keys), requireScope('subscribers:read'), async (req: Request, res: Response) => {
    const { productId, waiting, limit } = req.query;
    const problems: string[] = [];
    if (productId !== undefined && (typeof productId !== 'string' || productId === '' || productId.length > 128)) problems.push('productId: expected one product id');
    if (waiting !== undefined && waiting !== 'true' && waiting !== 'false') problems.push('waiting: expected true or false');
    const count = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(count) || count < 1 || count > MAX_LIMIT) problems.push(`limit: expected a whole number from 1 to ${MAX_LIMIT}`);
    if (problems.length) throw new HttpError('bad_request', problems.join('; '));
    const requests = await deps.notifyRequests.list({
      ...(typeof productId === 'string' ? { productId } : {}),
      ...(waiting === undefined ? {} : { waiting: waiting === 'true' }),
      limit: count,
    });
    res.setHeader('Cache-Control', cacheControl('operational'));
    sendJson(res, 200, {
      requests: requests.map((request) => ({
        ...request,
        requestedAt: new Date(request.requestedAt).toISOString(),
        notifiedAt: request.notifiedAt === null ? null : new Date(request.notifiedAt).toISOString(),
      })),
    });
  });
  return router;
}
