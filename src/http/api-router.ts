import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { ApiKeyring } from '../api/api-keys';
import { applyEventsWithOrders, parseEventsWithOrders } from '../conversions/events-with-orders';
import type { OrderIntake } from '../conversions/order-intake';
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS, eventSchema, parseBatch, productPatchSchema, subscriberPatchSchema, type ClockSkewLimit } from '../api/payload-schemas';
import { campaignPatchSchema } from '../api/campaign-schema';
import type { PatchBatchResult } from '../data/patches';
import { apiJsonBody } from './api-body';
import { apiOpenApiDocument } from './api-openapi';
import { requireAnyScope, requireApiKey, requireScope } from './api-auth';
import type { Metrics } from '../metrics/metrics';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { Campaigns } from '../storage/ports/campaigns';
import type { Ingestion, PatchBatchOptions } from '../storage/ports/ingestion';
import type { SubscriberSearch } from '../storage/ports/subscriber-search';
import { searchSubscribers } from '../api/subscriber-search';
import { HttpError, type ItemProblem } from './error-catalogue';
import { sendJson } from './send-json';
import type { TriggerIntake } from '../triggers/trigger-intake';
import { cacheControl } from './cache-policy';

export interface ApiRouterDeps {
  /** Where the batches are written. */
  ingestion: Pick<Ingestion, 'applyProductPatches' | 'applySubscriberPatches' | 'applySubscriberEvents'>;
  /** What GET reads back: the catalogue as held, without pulled live figures. */
  catalogue: Pick<CatalogueReader, 'getProduct' | 'getProducts' | 'getSubscriber' | 'getCampaign'>;
  /** Where campaign batches are written and listed from (README, "Campaigns"). */
  campaigns: Pick<Campaigns, 'applyCampaignPatches' | 'listCampaigns'>;
  /** GET /api/v1/subscribers?q= (the console's subscriber picker). */
  subscriberSearch: SubscriberSearch;
  keys: ApiKeyring;
  now: () => Date;
  /** Largest request body in bytes (default 8 MiB: 5,000 products of ~1.5 kB). */
  bodyLimitBytes?: number;
  /** When set, POST bodies must be signed (Opentime-Signature, HMAC-SHA256 over "t.body"). */
  webhookSecret?: string;
  webhookToleranceSeconds?: number;
  /** How far a record's `updatedAt`/`occurredAt` may be ahead of `now()` (default 300 s); later ones are a 400. */
  maxClockSkewSeconds?: number;
  /** Where `order_completed` events go: attributed and stored (conversions/order-intake.ts). */
  orders: Pick<OrderIntake, 'record' | 'identified'>;
  /** Accepted events start and cancel triggered sends (README "Triggered sends"); absent: no triggers. */
  triggers?: Pick<TriggerIntake, 'eventsAccepted' | 'watchesCatalogue' | 'productsWritten'>;
  /** opentime_ingested_total{type,outcome}; absent in tests that do not look at metrics. */
  metrics?: Pick<Metrics, 'ingested'>;
}

export const DEFAULT_API_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * The ingestion API under /api/v1 (README "Live data in: the ingestion API").
 * Bearer API keys only: subscriber tokens are not API keys and are refused. A
 * 2xx answer means the whole batch is committed to disk (one transaction per
 * request, storage/ports/ingestion.ts). Validation is all-or-nothing: one bad item answers 400
 * listing every problem, and nothing is written.
 */
export function apiRouter(deps: ApiRouterDeps): Router {
  const router = Router();
  const body = apiJsonBody({
    limitBytes: deps.bodyLimitBytes ?? DEFAULT_API_BODY_LIMIT_BYTES,
    webhookSecret: deps.webhookSecret,
    toleranceSeconds: deps.webhookToleranceSeconds,
    now: deps.now,
  });
  const clock = (): ClockSkewLimit => ({ now: deps.now(), maxClockSkewSeconds: deps.maxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS });
  router.use('/api/v1', (_req, res, next) => {
    // Answers about live stock and profiles: never stored by a proxy.
    res.setHeader('Cache-Control', cacheControl('operational'));
    next();
  });
  // The API's own description is public: it holds no data, and a client needs it before it has a key.
  const openApi = JSON.stringify(apiOpenApiDocument());
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(openApi);
  });
  router.use('/api/v1', requireApiKey(deps.keys));

  /** A batch of patches under `{"<type>": [ … ]}`: validated whole, written whole (an incomplete new record aborts it), counted and answered alike for every record type. */
  const patchBatch =
    <T extends object>(type: PatchedType, noun: string, schema: z.ZodType<T>, apply: (patches: T[], options: PatchBatchOptions) => Promise<PatchBatchResult>) =>
    async (req: Request, res: Response): Promise<void> => {
      const batch = parseBatch(req.body, type, schema, clock());
      if ('errors' in batch) throw validationFailed(batch.errors);
      const result = await apply(batch.items, { now: deps.now(), onIncomplete: 'abort' });
      if (!result.written) throw validationFailed(incompleteProblems(result, noun));
      countPatches(deps.metrics, type, result);
      sendJson(res, 200, patchAnswer(batch.items.length, result));
    };

  router.post(
    '/api/v1/products',
    requireScope('products:write'),
    body,
    patchBatch('products', 'product', productPatchSchema, async (patches, options) => {
      const triggers = deps.triggers?.watchesCatalogue ? deps.triggers : undefined;
      if (!triggers) return deps.ingestion.applyProductPatches(patches, options);
      // Catalogue triggers (price drop, back in stock) compare the products before and after; queued after the commit, before the 2xx.
      const ids = [...new Set(patches.map((patch) => patch.id))];
      const before = new Map((await deps.catalogue.getProducts(ids)).map((product) => [product.id, product]));
      const result = await deps.ingestion.applyProductPatches(patches, options);
      if (result.written) await triggers.productsWritten(before, await deps.catalogue.getProducts(ids), options.now);
      return result;
    }),
  );

  router.post(
    '/api/v1/subscribers',
    requireScope('subscribers:write'),
    body,
    patchBatch('subscribers', 'subscriber', subscriberPatchSchema, (patches, options) => deps.ingestion.applySubscriberPatches(patches, options)),
  );

  router.post('/api/v1/events', requireScope('events:write'), body, async (req: Request, res: Response) => {
    // `order_completed` items are orders (README "Conversions and revenue"); the rest go to ingestion.
    const batch = parseEventsWithOrders(req.body, eventSchema, clock());
    if ('errors' in batch) throw validationFailed(batch.errors);
    const now = deps.now();
    const result = await applyEventsWithOrders(batch, (events) => deps.ingestion.applySubscriberEvents(events, { now }), deps.orders, now);
    // After the events' commit and before the 2xx: a failure here answers 5xx, and the sender's retry enqueues what is missing.
    await deps.triggers?.eventsAccepted(batch.events.map((entry) => entry.item), result.stale);
    deps.metrics?.ingested.inc({ type: 'events', outcome: 'applied' }, result.applied);
    deps.metrics?.ingested.inc({ type: 'events', outcome: 'duplicate' }, result.duplicates.length);
    deps.metrics?.ingested.inc({ type: 'events', outcome: 'stale' }, result.stale.length);
    sendJson(res, 200, { received: batch.events.length + batch.orders.length, ...result });
  });

  router.post(
    '/api/v1/campaigns',
    requireScope('campaigns:write'),
    body,
    patchBatch('campaigns', 'campaign', campaignPatchSchema, (patches, options) => deps.campaigns.applyCampaignPatches(patches, options)),
  );

  router.get('/api/v1/campaigns', requireAnyScope('campaigns:read', 'console'), async (_req: Request, res: Response) => {
    sendJson(res, 200, { campaigns: await deps.campaigns.listCampaigns() });
  });

  router.get('/api/v1/campaigns/:id', requireAnyScope('campaigns:read', 'console'), async (req: Request, res: Response) => {
    const campaign = await deps.catalogue.getCampaign(req.params.id as string);
    if (!campaign) throw new HttpError('campaign_not_found', `No campaign "${String(req.params.id).slice(0, 128)}".`);
    sendJson(res, 200, { campaign });
  });

  router.get('/api/v1/products/:id', requireScope('products:read'), async (req: Request, res: Response) => {
    const product = await deps.catalogue.getProduct(req.params.id as string);
    if (!product) throw new HttpError('product_not_found', `No product "${String(req.params.id).slice(0, 128)}".`);
    sendJson(res, 200, { product });
  });

  router.get('/api/v1/subscribers', requireAnyScope('subscribers:read', 'console'), async (req: Request, res: Response) => {
    sendJson(res, 200, { subscribers: await searchSubscribers(deps.subscriberSearch, req.query.q) });
  });

  router.get('/api/v1/subscribers/:id', requireAnyScope('subscribers:read', 'console'), async (req: Request, res: Response) => {
    const subscriber = await deps.catalogue.getSubscriber(req.params.id as string);
    if (!subscriber) throw new HttpError('subscriber_not_found', `No subscriber "${String(req.params.id).slice(0, 128)}".`);
    sendJson(res, 200, { subscriber });
  });

  return router;
}

function validationFailed(errors: readonly ItemProblem[]): HttpError {
  const items = new Set(errors.map((problem) => problem.index)).size;
  return new HttpError('validation_failed', `${errors.length} problem(s) in ${items} item(s); nothing was written.`, { errors });
}

/** New records without their required fields, one problem per missing field. */
function incompleteProblems(result: PatchBatchResult, noun: string): ItemProblem[] {
  return result.incomplete.flatMap(({ index, id, missing }) =>
    missing.map((field) => ({ index, path: field, message: `required for a new ${noun} (no ${noun} "${id}" is stored yet)` })),
  );
}

type PatchedType = 'products' | 'subscribers' | 'campaigns';

function countPatches(metrics: ApiRouterDeps['metrics'], type: PatchedType, result: PatchBatchResult): void {
  metrics?.ingested.inc({ type, outcome: 'applied' }, result.created + result.updated);
  metrics?.ingested.inc({ type, outcome: 'unchanged' }, result.unchanged);
  metrics?.ingested.inc({ type, outcome: 'stale' }, result.stale.length);
}

function patchAnswer(received: number, result: PatchBatchResult) {
  return { received, created: result.created, updated: result.updated, unchanged: result.unchanged, stale: result.stale };
}
