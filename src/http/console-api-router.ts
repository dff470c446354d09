import { Router, type Request, type Response } from 'express';
import type { ApiKeyring } from '../api/api-keys';
import { describeBlocks } from '../blocks/blocks-overview';
import type { LiveBlocks } from '../blocks/live-blocks';
import type { ConsoleSettings } from '../console/console-context';
import { createTestEmail, type TestEmailDeps, type TestEmailResult } from '../email/test-email';
import type { Keyring } from '../tokens/keyring';
import { apiJsonBody } from './api-body';
import { subscriberTimeline } from '../recording/subscriber-timeline';
import type { Storage } from '../storage/storage';
import { requireAnyScope, requireApiKey } from './api-auth';
import { cacheControl } from './cache-policy';
import { sendJson } from './send-json';

export interface ConsoleApiDeps {
  storage: Storage;
  blocks: LiveBlocks;
  keys: ApiKeyring;
  /** Token signing keys: a test email's URLs carry a real subscriber token. */
  keyring: Keyring;
  tokenAudience: string;
  settings: ConsoleSettings;
  now: () => Date;
}

/** What a test email needs, from the console's settings: shared by the endpoint and the Send test page. */
export function testEmailDeps(deps: Pick<ConsoleApiDeps, 'storage' | 'keyring' | 'tokenAudience' | 'settings' | 'now'>): TestEmailDeps {
  return {
    catalogue: deps.storage.catalogue,
    keyring: deps.keyring,
    tokenAudience: deps.tokenAudience,
    publicUrl: deps.settings.publicUrl,
    smtpUrl: deps.settings.smtpUrl,
    globalSenders: deps.settings.senders ?? [],
    now: deps.now,
  };
}

/** The .eml as a download: message/rfc822, named after campaign and subscriber. */
export function sendEml(res: Response, result: Extract<TestEmailResult, { sent: false }>): void {
  res.setHeader('Content-Type', 'message/rfc822');
  res.setHeader('Content-Disposition', `attachment; filename="${result.filename}"`);
  res.setHeader('Cache-Control', cacheControl('private'));
  res.end(result.message);
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

  router.post(
    '/api/v1/campaigns/:campaignId/test-emails',
    requireApiKey(deps.keys),
    requireAnyScope('console'),
    apiJsonBody({ limitBytes: 16 * 1024, now: deps.now }),
    async (req: Request, res: Response) => {
      const result = await createTestEmail(testEmailDeps(deps), String(req.params.campaignId), req.body);
      if (!result.sent) return sendEml(res, result);
      res.setHeader('Cache-Control', cacheControl('operational'));
      sendJson(res, 200, { sent: true, to: result.to, from: result.from, template: result.template, bytes: result.bytes, smtpResponse: result.response });
    },
  );
  return router;
}
