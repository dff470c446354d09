import express, { type Express } from 'express';
import type { BlockCatalog } from './blocks/blocks-config';
import type { Store } from './data/store';
import { ampRouter } from './http/amp-router';
import { errorHandler, notFound } from './http/error-handler';
import { requestLog } from './http/request-log';
import type { SenderAllowlist } from './http/sender-allowlist';
import type { Logger } from './log';
import type { Keyring } from './tokens/keyring';

export interface AppDeps {
  store: Store;
  blocks: BlockCatalog;
  keyring: Keyring;
  tokenAudience: string;
  globalAllowlist: SenderAllowlist;
  logger: Logger;
  /** The clock of every open; tests pass a fixed one. */
  now?: () => Date;
}

/** Builds the Express app without listening, so tests drive it in-process with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(deps.logger));

  app.get('/healthz', async (_req, res) => {
    await deps.store.countProducts();
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  app.use(ampRouter({ ...deps, now: deps.now ?? (() => new Date()) }));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
