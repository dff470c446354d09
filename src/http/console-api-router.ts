import { Router, type Request, type Response } from 'express';
import type { ApiKeyring } from '../api/api-keys';
import { describeBlocks } from '../blocks/blocks-overview';
import type { LiveBlocks } from '../blocks/live-blocks';
import { subscriberTimeline } from '../recording/subscriber-timeline';
import type { Storage } from '../storage/storage';
import { requireAnyScope, requireApiKey } from './api-auth';
import { cacheControl } from './cache-policy';
import { sendJson } from './send-json';

export interface ConsoleApiDeps {
  storage: Storage;
  blocks: LiveBlocks;
  keys: ApiKeyring;
  now: () => Date;
}

/**
 * The API endpoints behind the console's pages (README "Console"), beside the
 * ingestion API: each calls the one service function its page calls too.
 * A key with the `console` scope may call them all; scripts can use the
 * narrower scope each names.
 */
export function consoleApiRouter(deps: ConsoleApiDeps): Router {
  const router = Router();
  router.get('/api/v1/blocks', requireApiKey(deps.keys), requireAnyScope('blocks:read', 'console'), async (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', cacheControl('operational'));
    sendJson(res, 200, await describeBlocks(deps.blocks, deps.storage.subscriberLocales));
  });

  router.get(
    '/api/v1/campaigns/:campaignId/subscribers/:subscriberId/timeline',
    requireApiKey(deps.keys),
    requireAnyScope('reports:read', 'console'),
    async (req: Request, res: Response) => {
      res.setHeader('Cache-Control', cacheControl('private'));
      sendJson(res, 200, await subscriberTimeline(deps.storage, String(req.params.campaignId), String(req.params.subscriberId)));
    },
  );
  return router;
}
