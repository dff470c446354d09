import { Writable } from 'node:stream';
import { runReport } from '../../src/commands/report';
import { recipientWarnings } from '../../src/email/recipient-check';
import { openPostgresStorage } from '../../src/storage/postgres/postgres-storage';
import { subscriber } from '../storage/contract';
import { createTestDatabase, dropMigratedTemplate, type TestDatabase } from './helpers/test-databases';

/**
 * The read-only tools with OPENTIME_DATABASE_URL: they read the PostgreSQL
 * database (there is no SQLite file to look for) without migrating it.
 */

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
let database: TestDatabase;

beforeEach(async () => {
  database = await createTestDatabase('migrated');
  const storage = await openPostgresStorage(database.url);
  try {
    await storage.ingestion.upsertSubscribers([subscriber('s1')]);
    await storage.campaigns.upsertCampaigns([{ id: 'flash-sale', name: 'Flash Sale', endsAt: null, allowedSenders: ['news@shop.example'], markets: [], templates: ['flash-sale'], updatedAt: '2026-01-01T00:00:00.000Z' }]);
    await storage.renderLog.appendRenders(
      ['s1', 's2'].map((subscriberId) => ({
        renderedAt: T0,
        campaignId: 'flash-sale',
        blockId: 'picks',
        subscriberId,
        surface: 'image' as const,
        client: 'direct' as const,
        prefetch: false,
        variant: null,
        outcome: 'view' as const,
        locked: false,
        itemIds: [],
      })),
    );
  } finally {
    await storage.close();
  }
});

afterEach(() => database.drop());
afterAll(dropMigratedTemplate);

test('opentime report reads the render log of OPENTIME_DATABASE_URL, with no data directory at all', async () => {
  let out = '';
  const stdout = new Writable({ write: (chunk, _encoding, callback) => ((out += String(chunk)), callback()) });
  const report = await runReport({ campaign: 'flash-sale', json: true }, { env: { OPENTIME_DATA_DIR: '/nonexistent/opentime', OPENTIME_DATABASE_URL: database.url }, stdout, now: new Date(T0 + 60_000) });
  expect(report.blocks.map((block) => block.blockId)).toEqual(['picks']);
  expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(report)));
});

test("the email command's recipient check reads the subscriber and campaign from OPENTIME_DATABASE_URL", async () => {
  const config = { databaseFile: '/nonexistent/opentime.db', databaseUrl: database.url, freshnessMs: 0, allowedSenders: [] };
  expect(await recipientWarnings(config, { subscriberId: 's1', campaignId: 'flash-sale', sender: 'news@shop.example' })).toEqual([]);
  expect(await recipientWarnings(config, { subscriberId: 'nobody', campaignId: 'flash-sale', sender: 'news@shop.example' })).toEqual([
    expect.stringContaining('subscriber "nobody" is not in the store'),
  ]);
});
