import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { runReport } from '../src/commands/report';
import { assignArm } from '../src/experiments/assignment';
import { rateDifference, relativeLift, wilsonInterval } from '../src/experiments/confidence';
import { buildCampaignReport, formatCampaignReport, type CampaignReport } from '../src/experiments/report';
import type { ClickRecord, RenderRecord } from '../src/storage/ports/render-log';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { createRecordingApp, MPP, type RecordingApp } from './helpers/recording-app';
import { clickRecord as click, renderRecord as render } from './helpers/render-records';

const NOW = new Date('2026-11-23T10:00:00.000Z');

const range = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/**
 * The known log. Block "picks", experiment variants "a" and "holdout"; block "hero", no experiment.
 * - a: a0–a99 opened as humans, each with a JSON and an image render (200); p0–p49 were only ever
 *   prefetched by Apple (50 prefetch renders), and p0–p9 clicked anyway (a click proves a human open).
 *   Clickers: a0–a19 and p0–p9 (30); a0–a4 clicked twice (35 clicks). Human opens: 100 + 10 = 110.
 * - holdout: h0–h99 opened (100 renders); h0–h10 clicked once (11). Human opens 100.
 * - hero: s0 rendered 3 times, s1 twice, s2 only as a prefetch; s1 clicked once.
 * - Another campaign's rows, which must not count.
 */
function seededLog(): { renders: RenderRecord[]; clicks: ClickRecord[] } {
  const renders: RenderRecord[] = [];
  const clicks: ClickRecord[] = [];
  for (const id of range('a', 100)) renders.push(render(id, 'a', { surface: 'json', client: 'amp' }), render(id, 'a', { client: 'gmail-proxy' }));
  for (const id of range('p', 50)) renders.push(render(id, 'a', { client: 'apple-prefetch', prefetch: true }));
  for (const id of [...range('a', 20), ...range('p', 10)]) clicks.push(click(id, 'a'));
  for (const id of range('a', 5)) clicks.push(click(id, 'a', { slot: 1 }));
  for (const id of range('h', 100)) renders.push(render(id, 'holdout'));
  for (const id of range('h', 11)) clicks.push(click(id, 'holdout'));
  for (const id of ['s0', 's0', 's0', 's1', 's1']) renders.push(render(id, null, { blockId: 'hero' }));
  renders.push(render('s2', null, { blockId: 'hero', client: 'apple-prefetch', prefetch: true }));
  clicks.push(click('s1', null, { blockId: 'hero' }));
  for (const id of range('x', 7)) renders.push(render(id, 'a', { campaignId: 'spring-sale' }));
  clicks.push(click('x0', 'a', { campaignId: 'spring-sale' }));
  return { renders, clicks };
}

async function seededStorage(file = ':memory:'): Promise<SqliteStorage> {
  const storage = openSqliteStorage(file);
  const { renders, clicks } = seededLog();
  await storage.renderLog.appendRenders(renders);
  await storage.renderLog.appendClicks(clicks);
  return storage;
}

describe('campaign report on a known log', () => {
  let report: CampaignReport;
  beforeAll(async () => {
    const storage = await seededStorage();
    report = buildCampaignReport('flash-sale', await storage.renderLog.campaignReportCounts('flash-sale'), NOW);
    await storage.close();
  });

  test('counts renders, prefetches, unique human opens, clicks and clickers per block and variant', () => {
    const rows = report.blocks.flatMap((block) => block.variants.map((v) => [block.blockId, v.variant, v.renders, v.prefetchRenders, v.humanOpeners, v.clicks, v.clickers]));
    expect(rows).toEqual([
      ['hero', null, 6, 1, 2, 1, 1],
      ['picks', 'a', 250, 50, 110, 35, 30],
      ['picks', 'holdout', 100, 0, 100, 11, 11],
    ]);
  });

  test('CTR is unique clickers over unique human opens, with a Wilson interval', () => {
    const [a, holdout] = report.blocks[1]!.variants;
    expect(a!.ctr).toBeCloseTo(30 / 110, 12);
    expect(holdout!.ctr).toBeCloseTo(0.11, 12);
    expect(a!.ctrInterval!.low).toBeCloseTo(0.198227, 5);
    expect(a!.ctrInterval!.high).toBeCloseTo(0.362566, 5);
  });

  test('lift against the holdout with its 95% confidence interval (Katz log), and the CTR difference (Newcombe)', () => {
    const [a, holdout] = report.blocks[1]!.variants;
    // RR = (30/110)/(11/100) = 2.4793; SE(ln RR) = sqrt(1/30 − 1/110 + 1/11 − 1/100) = 0.32427.
    expect(a!.lift!.value).toBeCloseTo(1.479339, 5);
    expect(a!.lift!.low).toBeCloseTo(0.313155, 5);
    expect(a!.lift!.high).toBeCloseTo(3.681183, 5);
    expect(a!.ctrDifference!.value).toBeCloseTo(0.162727, 5);
    expect(a!.ctrDifference!.low).toBeCloseTo(0.056078, 5);
    expect(a!.ctrDifference!.high).toBeCloseTo(0.264331, 5);
    expect(holdout!.lift).toBeNull();
    expect(report.blocks[0]!.variants[0]!.lift).toBeNull(); // no holdout, no lift
  });

  test('prints a table with the methods stated', () => {
    const text = formatCampaignReport(report);
    expect(text).toContain('Campaign flash-sale, as of 2026-11-23T10:00:00.000Z');
    expect(text).toMatch(/picks\s+a\s+250\s+50\s+110\s+35\s+30\s+27\.3%\s+\+147\.9% \(\+31\.3% to \+368\.1%\)\s+16\.3 pp \(5\.6 to 26\.4\)/);
    expect(text).toMatch(/picks\s+holdout\s+100\s+0\s+100\s+11\s+11\s+11\.0%\s+baseline\s+baseline/);
    expect(text).toContain('Katz log interval');
    expect(text).toContain('Newcombe hybrid score interval');
  });
});

describe('interval methods against published values', () => {
  test('Wilson score interval: 81/263 → 0.2553 to 0.3662 (Newcombe 1998, table I)', () => {
    const interval = wilsonInterval(81, 263);
    expect(interval.low).toBeCloseTo(0.2553, 4);
    expect(interval.high).toBeCloseTo(0.3662, 4);
  });

  test('Newcombe hybrid score: 56/70 − 48/80 → 0.0524 to 0.3339 (Newcombe 1998, method 10)', () => {
    const difference = rateDifference(56, 70, 48, 80)!;
    expect(difference.value).toBeCloseTo(0.2, 12);
    expect(difference.low).toBeCloseTo(0.0524, 4);
    expect(difference.high).toBeCloseTo(0.3339, 4);
  });

  test('no clicks in a group: 0.5 per cell keeps the interval finite and honest', () => {
    const lift = relativeLift(0, 50, 5, 50)!;
    expect(lift.value).toBe(-1);
    expect(lift.low).toBeCloseTo(-0.99484, 4);
    expect(lift.high).toBeCloseTo(0.60164, 4);
    expect(relativeLift(3, 0, 1, 10)).toBeNull();
    // Against a holdout without clicks the ratio is undefined; the interval is still given.
    const undefinedRatio = relativeLift(5, 50, 0, 50)!;
    expect(undefinedRatio.value).toBeNull();
    expect(undefinedRatio.low).toBeCloseTo(1 / 1.60164 - 1, 3);
  });
});

describe('opentime report --campaign', () => {
  test('prints the report of the configured database, as a table or JSON', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-report-'));
    try {
      await (await seededStorage(path.join(dir, 'opentime.db'))).close();
      let out = '';
      const stdout = new Writable({ write: (chunk, _encoding, callback) => ((out += String(chunk)), callback()) });
      const env = { OPENTIME_DATA_DIR: dir };
      await runReport({ campaign: 'flash-sale' }, { env, stdout, now: NOW });
      expect(out).toMatch(/picks\s+a\s+250\s+50\s+110\s+35\s+30\s+27\.3%/);
      out = '';
      const report = await runReport({ campaign: 'flash-sale', json: true }, { env, stdout, now: NOW });
      expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(report)));
      expect(report.blocks.map((block) => block.blockId)).toEqual(['hero', 'picks']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('says where it looked when there is no database', async () => {
    await expect(runReport({ campaign: 'x' }, { env: { OPENTIME_DATA_DIR: '/nonexistent/opentime' } })).rejects.toThrow(
      'No database at /nonexistent/opentime/opentime.db. Expected the data directory of a server that has served opens (OPENTIME_DATA_DIR).',
    );
  });
});

describe('GET /api/v1/reports/campaigns/:id', () => {
  let fx: RecordingApp;
  beforeEach(async () => {
    fx = await createRecordingApp({
      blocksYaml:
        'blocks:\n  - id: hero\n    kind: product\n    productId: quilted-jacket-olive\n    defaultUrl: "https://shop.example/sale"\n' +
        '    experiment: { holdout: 50, variants: [{ name: live, weight: 50 }] }\n',
    });
  });
  afterEach(() => fx.close());

  test('reports what the opens and clicks recorded, to a key with reports:read', async () => {
    await fx.json('hero', 'sub-emma');
    await fx.image('hero', 'sub-emma');
    await fx.image('hero', 'sub-oliver', { userAgent: MPP.userAgent, address: MPP.address });
    await request(fx.app).get(`/c/v1/blocks/hero/0?t=${fx.token('sub-emma')}`).expect(302);
    await fx.flush();
    const response = await request(fx.app).get('/api/v1/reports/campaigns/flash-sale').set('Authorization', `Bearer ${fx.apiKey()}`);
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('private, no-store');
    const body = response.body as CampaignReport;
    const armOf = (id: string): string => assignArm(fx.blocks.get('hero')!.experiment!, id).name;
    // Emma: a JSON and an image render and a click; Oliver: one Apple prefetch (not an open). Same arm or not, by the hash.
    const expected = new Map<string, { variant: string; renders: number; prefetch: number; opens: number; clicks: number }>();
    for (const [id, renders, prefetch, opens, clicks] of [['sub-emma', 2, 0, 1, 1], ['sub-oliver', 1, 1, 0, 0]] as const) {
      const row = expected.get(armOf(id)) ?? { variant: armOf(id), renders: 0, prefetch: 0, opens: 0, clicks: 0 };
      expected.set(armOf(id), { ...row, renders: row.renders + renders, prefetch: row.prefetch + prefetch, opens: row.opens + opens, clicks: row.clicks + clicks });
    }
    const rows = body.blocks[0]!.variants.map((v) => ({ variant: v.variant, renders: v.renders, prefetch: v.prefetchRenders, opens: v.humanOpeners, clicks: v.clicks }));
    expect(rows).toHaveLength(expected.size);
    expect(rows).toEqual(expect.arrayContaining([...expected.values()]));
  });

  test('is API-key protected: no key 401, wrong scope 403, unknown campaign 404', async () => {
    expect((await request(fx.app).get('/api/v1/reports/campaigns/flash-sale')).body.error.code).toBe('api_key_missing');
    const wrongScope = await request(fx.app).get('/api/v1/reports/campaigns/flash-sale').set('Authorization', `Bearer ${fx.apiKey(['products:write'])}`);
    expect([wrongScope.status, wrongScope.body.error.code]).toEqual([403, 'api_scope_missing']);
    const unknown = await request(fx.app).get('/api/v1/reports/campaigns/no-such-campaign').set('Authorization', `Bearer ${fx.apiKey()}`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'campaign_not_found']);
  });
});
