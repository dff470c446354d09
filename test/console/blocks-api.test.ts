import request from 'supertest';
import { createConsoleApp, type ConsoleApp } from '../helpers/console-app';

describe('GET /api/v1/blocks and the Blocks page', () => {
  let fixture: ConsoleApp;
  beforeAll(async () => {
    fixture = await createConsoleApp();
  });
  afterAll(() => fixture.close());

  test('every demo block with its kind, rules, variants, experiment, lock and translations', async () => {
    const answer = await request(fixture.app).get('/api/v1/blocks').set('Authorization', `Bearer ${fixture.keys.console}`);
    expect(answer.status).toBe(200);
    expect(answer.body.lastRefusedReload).toBeNull();
    const blocks = answer.body.blocks as { id: string; kind: string; experiment: { arms: { share: number }[]; holdout: { share: number } } | null; lockAtFirstOpen: unknown; translations: string[]; options: object }[];
    expect(blocks.length).toBeGreaterThan(3);
    for (const block of blocks) expect(typeof block.kind).toBe('string');
    const withExperiment = blocks.find((block) => block.experiment !== null);
    expect(withExperiment).toBeDefined();
    const shares = withExperiment?.experiment?.arms.reduce((sum, arm) => sum + arm.share, withExperiment.experiment.holdout.share) ?? 0;
    expect(shares).toBeCloseTo(1, 9);
    expect(blocks.some((block) => block.lockAtFirstOpen !== null)).toBe(true);
    expect(blocks.some((block) => block.translations.includes('de'))).toBe(true);
  });

  test('a key with neither blocks:read nor console gets a 403', async () => {
    const answer = await request(fixture.app).get('/api/v1/blocks').set('Authorization', `Bearer ${fixture.keys.reportsOnly}`);
    expect([answer.status, answer.body.error.code]).toEqual([403, 'api_scope_missing']);
  });

  test('the page shows each block with its kind and experiment arms', async () => {
    const page = await request(fixture.app).get('/console/blocks').set('Cookie', await fixture.sessionCookie());
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-block="[a-z0-9-]+"/);
    expect(page.text).toContain('<th>Arm</th>');
  });
});

describe('a refused blocks-config reload', () => {
  test('is reported with its error until a reload applies', async () => {
    const { LiveBlocks } = await import('../../src/blocks/live-blocks');
    const { describeBlocks } = await import('../../src/blocks/blocks-overview');
    const { consoleBlocks } = await import('../helpers/console-blocks');
    const live = new LiveBlocks(consoleBlocks());
    const locales = { localeCounts: async () => [{ locale: 'pl-PL', subscribers: 3 }] };
    live.refused({ at: new Date('2026-11-22T10:00:00.000Z'), reason: 'config/blocks.yaml: block "picks": count: expected a number' });
    const refused = await describeBlocks(live, locales);
    expect(refused.lastRefusedReload).toEqual({ at: '2026-11-22T10:00:00.000Z', reason: 'config/blocks.yaml: block "picks": count: expected a number' });
    expect(refused.blocks.find((block) => block.id === 'picks')?.warnings.missingTranslations).toEqual([{ locale: 'pl-PL', subscribers: 3 }]);
    live.replace(consoleBlocks());
    expect((await describeBlocks(live, locales)).lastRefusedReload).toBeNull();
  });
});
