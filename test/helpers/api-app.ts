import { Writable } from 'node:stream';
import request from 'supertest';
import { ApiKeyring, generateApiKey, type ApiScope } from '../../src/api/api-keys';
import { signWebhookBody } from '../../src/api/webhook-signature';
import { createApp, type OpentimeApp } from '../../src/app';
import type { ShownView } from '../../src/kinds/kind-of-view';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { SenderAllowlist } from '../../src/http/sender-allowlist';
import { createLogger } from '../../src/log';
import type { CatalogueCache } from '../../src/storage/cache/cached-catalogue';
import { withCatalogueCache } from '../../src/storage/cache/with-catalogue-cache';
import type { CatalogueReader } from '../../src/storage/ports/catalogue-reader';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import { drawBlock } from '../../src/render/draw-block';
import { AUDIENCE, DEMO_BLOCKS_FILE, FIXED_NOW, SENDER, testKeyring } from './app-fixture';
import { loadBlocksConfig } from '../../src/blocks/blocks-config';
import { signSubscriberToken } from '../../src/tokens/subscriber-token';
import type { ConversionSettings } from '../../src/conversions/conversion-settings';

/**
 * The whole app (AMP JSON, images, ingestion API) on an in-memory SQLite with
 * the demo data, for the ingestion tests: keys with different scopes, a
 * webhook secret when asked, and every image draw recorded so a test can see
 * which view the picture showed.
 */

export interface ApiApp {
  app: OpentimeApp;
  /** What the app runs on: `database` behind the catalogue cache. */
  storage: Storage;
  /** The database itself: a write here bypasses the cache, as another process's would. */
  database: Storage;
  cache: CatalogueCache;
  clock: { now: Date };
  keys: { all: string; readOnly: string; productsOnly: string; campaigns: string; campaignsReadOnly: string; reports: string };
  drawnViews: ShownView[];
  /** The server's log lines (warn and above unless `logLevel` says otherwise). */
  logLines: () => string[];
  token(subscriberId: string, campaignId?: string): string;
  close(): Promise<void>;
}

export async function createApiApp(
  options: {
    webhookSecret?: string;
    bodyLimitBytes?: number;
    maxClockSkewSeconds?: number;
    wrapCatalogue?: (catalogue: CatalogueReader) => CatalogueReader;
    freshnessMs?: number;
    /** What logLines() collects; default warn. */
    logLevel?: string;
    /** Attribution window and model, and the pixel secret (README "Conversions and revenue"); default: the app's. */
    conversions?: ConversionSettings;
  } = {},
): Promise<ApiApp> {
  const database = openSqliteStorage(':memory:');
  const storage = withCatalogueCache(database, { freshnessMs: options.freshnessMs ?? 60_000 });
  await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: FIXED_NOW });
  const issued = (name: string, scopes: readonly ApiScope[]) => generateApiKey(name, scopes);
  const all = issued('all', ['products:write', 'products:read', 'subscribers:write', 'subscribers:read', 'events:write']);
  const readOnly = issued('reader', ['products:read', 'subscribers:read']);
  const productsOnly = issued('catalogue', ['products:write']);
  const campaigns = issued('campaigns', ['campaigns:write', 'campaigns:read']);
  const campaignsReadOnly = issued('campaign-reader', ['campaigns:read']);
  const reports = issued('reports', ['reports:read']);
  const clock = { now: FIXED_NOW };
  const drawnViews: ShownView[] = [];
  const lines: string[] = [];
  const logSink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const app = createApp({
    storage,
    openCatalogue: options.wrapCatalogue?.(storage.catalogue),
    blocks: loadBlocksConfig(DEMO_BLOCKS_FILE),
    keyring: testKeyring,
    tokenAudience: AUDIENCE,
    globalAllowlist: SenderAllowlist.parse([SENDER]),
    logger: createLogger(options.logLevel ?? 'warn', logSink),
    now: () => clock.now,
    publicUrl: 'https://opentime.test',
    drawBlock: (view, theme, drawOptions) => {
      drawnViews.push(view);
      return drawBlock(view, theme, drawOptions);
    },
    api: {
      keys: new ApiKeyring([all.record, readOnly.record, productsOnly.record, campaigns.record, campaignsReadOnly.record, reports.record]),
      webhookSecret: options.webhookSecret,
      bodyLimitBytes: options.bodyLimitBytes,
      maxClockSkewSeconds: options.maxClockSkewSeconds,
    },
    conversions: options.conversions,
  });
  return {
    app,
    storage,
    database,
    cache: storage.catalogueCache as CatalogueCache,
    clock,
    keys: { all: all.key, readOnly: readOnly.key, productsOnly: productsOnly.key, campaigns: campaigns.key, campaignsReadOnly: campaignsReadOnly.key, reports: reports.key },
    drawnViews,
    logLines: () => lines,
    token: (subscriberId, campaignId = 'flash-sale') =>
      signSubscriberToken(testKeyring, { subscriberId, campaignId }, { audience: AUDIENCE, now: clock.now }),
    close: () => storage.close(),
  };
}

/** A JSON POST with a Bearer key (and a webhook signature when a secret is given). */
export function postJson(
  fixture: ApiApp,
  path: string,
  body: unknown,
  options: { key?: string; secret?: string; signedAt?: Date } = {},
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let call = request(fixture.app).post(path).set('Content-Type', 'application/json');
  const key = options.key ?? fixture.keys.all;
  if (key) call = call.set('Authorization', `Bearer ${key}`);
  if (options.secret) {
    const at = Math.floor((options.signedAt ?? fixture.clock.now).getTime() / 1000);
    call = call.set('Opentime-Signature', signWebhookBody(options.secret, text, at));
  }
  return call.send(text);
}

export function getJson(fixture: ApiApp, path: string, key: string = fixture.keys.all) {
  return request(fixture.app).get(path).set('Authorization', `Bearer ${key}`);
}

/** The amp-list answer of a block for a subscriber, as Gmail's proxy asks for it. */
export function ampOpen(fixture: ApiApp, blockId: string, subscriberId: string) {
  return request(fixture.app).get(`/amp/v1/blocks/${blockId}?t=${fixture.token(subscriberId)}`).set('AMP-Email-Sender', SENDER);
}

/** The PNG of a block for a subscriber. */
export function imageOpen(fixture: ApiApp, blockId: string, subscriberId: string) {
  return request(fixture.app)
    .get(`/img/v1/blocks/${blockId}.png?t=${fixture.token(subscriberId)}`)
    .buffer(true)
    .parse((res, callback) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => callback(null, Buffer.concat(chunks)));
    });
}
