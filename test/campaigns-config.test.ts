import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { loadCampaignsFile } from '../src/data/campaigns-file';
import { openServices } from '../src/services';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { FIXED_NOW } from './helpers/app-fixture';
import { runCli } from './helpers/processes';

/** The campaigns file (OPENTIME_CAMPAIGNS): declared campaigns written at start-up, mistakes stop it (README, "Campaigns"). */
describe('OPENTIME_CAMPAIGNS', () => {
  let root: string;
  let file: string;
  const fileTime = new Date('2026-11-20T08:00:00.000Z');

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-campaigns-file-'));
    file = path.join(root, 'campaigns.yaml');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const declare = (text: string, modifiedAt = fileTime): void => {
    fs.writeFileSync(file, text);
    fs.utimesSync(file, modifiedAt, modifiedAt);
  };
  const start = async (now: Date = FIXED_NOW) => openServices(loadConfig({ OPENTIME_DATA_DIR: path.join(root, 'data'), OPENTIME_CAMPAIGNS: file }, root), now);

  const SUMMER = [
    'campaigns:',
    '  - id: summer-sale',
    '    name: Summer Sale',
    '    endsAt: 2027-07-31T22:00:00Z',
    '    allowedSenders: [news@shop.example]',
    '    markets: [DE, AT]',
    '    templates: [flash-sale]',
    // A demo campaign, declared: the file's deadline, not the demo's moving one.
    '  - id: flash-sale',
    '    endsAt: 2026-12-31T23:00:00Z',
    '',
  ].join('\n');

  test('declared campaigns are written at start-up, stamped with the file time; a demo campaign declared keeps the file\'s deadline', async () => {
    declare(SUMMER);
    const services = await start();
    try {
      expect(await services.storage.catalogue.getCampaign('summer-sale')).toEqual({
        id: 'summer-sale',
        name: 'Summer Sale',
        endsAt: '2027-07-31T22:00:00.000Z',
        allowedSenders: ['news@shop.example'],
        markets: ['DE', 'AT'],
        templates: ['flash-sale'],
        updatedAt: fileTime.toISOString(),
      });
      expect(await services.storage.catalogue.getCampaign('flash-sale')).toMatchObject({ name: 'Flash Sale', endsAt: '2026-12-31T23:00:00.000Z' });
    } finally {
      await services.storage.close();
    }
    // A later start (the demo refresh runs again) leaves the declared deadline alone.
    const later = await start(new Date(FIXED_NOW.getTime() + 7 * 86_400_000));
    try {
      expect((await later.storage.catalogue.getCampaign('flash-sale'))?.endsAt).toBe('2026-12-31T23:00:00.000Z');
    } finally {
      await later.storage.close();
    }
  });

  test('an API or CLI write after the file was edited wins at the next start; editing the file again wins over it', async () => {
    declare(SUMMER);
    const first = await start();
    try {
      // What POST /api/v1/campaigns and opentime campaign update do: untimed, so stamped now (after the file time).
      await first.storage.campaigns.applyCampaignPatches([{ id: 'summer-sale', endsAt: '2027-08-15T22:00:00.000Z' }], { now: FIXED_NOW, onIncomplete: 'abort' });
    } finally {
      await first.storage.close();
    }
    const second = await start();
    try {
      expect((await second.storage.catalogue.getCampaign('summer-sale'))?.endsAt).toBe('2027-08-15T22:00:00.000Z');
    } finally {
      await second.storage.close();
    }
    declare(SUMMER.replace('2027-07-31T22:00:00Z', '2027-09-01T22:00:00Z'), new Date(FIXED_NOW.getTime() + 3_600_000));
    const third = await start(new Date(FIXED_NOW.getTime() + 2 * 3_600_000));
    try {
      expect((await third.storage.catalogue.getCampaign('summer-sale'))?.endsAt).toBe('2027-09-01T22:00:00.000Z');
    } finally {
      await third.storage.close();
    }
  });

  test('a mistake stops start-up naming the file, the campaign, the path and what was expected; nothing is written', async () => {
    declare(
      [
        'campaigns:',
        '  - { id: ok, name: Fine }',
        '  - id: summer-sale',
        '    name: Summer Sale',
        '    endsAt: 31/07/2027',
        '    markets: [DE, UK]',
        '    templates: [flash-sale, summer]',
        '    allowedSenders: ["https://shop.example"]',
        '  - { id: nameless }',
        '',
      ].join('\n'),
    );
    await expect(start()).rejects.toThrow(
      [
        `${file}: campaigns[1] (id "summer-sale") at endsAt: expected an ISO 8601 time with a zone, e.g. 2026-11-25T18:00:00Z`,
        `${file}: campaigns[1] (id "summer-sale") at allowedSenders.0: expected an email address (news@shop.example) or a domain (shop.example, @shop.example, or *.shop.example to include subdomains); received "https://shop.example", which is a URL; write only the domain you send from, e.g. "shop.example"`,
        `${file}: campaigns[1] (id "summer-sale") at markets.1: expected an ISO 3166-1 alpha-2 country code in capitals, such as DE, GB or US: ISO 3166-1 writes the United Kingdom as GB`,
        `${file}: campaigns[1] (id "summer-sale") at templates.1: unknown template "summer"; expected one of the templates in amp-templates/: flash-sale, loyalty-update, style-survey, welcome`,
      ].join('\n'),
    );
    expect(fs.existsSync(path.join(root, 'data', 'opentime.db'))).toBe(false);

    // A new campaign without a name is caught against the database: still nothing of the file is written.
    declare('campaigns:\n  - { id: ok, name: Fine }\n  - { id: nameless }\n');
    await expect(start()).rejects.toThrow(`${file}: campaigns[1] (id "nameless") at name: required for a new campaign (no campaign "nameless" is stored yet)`);
    const storage = openSqliteStorage(path.join(root, 'data', 'opentime.db'));
    try {
      expect(await storage.catalogue.getCampaign('ok')).toBeUndefined();
    } finally {
      await storage.close();
    }
  });

  test('the server refuses to start on a broken campaigns file, with one line and exit code 2', () => {
    declare('campaigns:\n  - id: summer-sale\n    name: Summer Sale\n    endsAt: tomorrow\n');
    const result = runCli(['serve'], { OPENTIME_DATA_DIR: path.join(root, 'data'), OPENTIME_CAMPAIGNS: file, PORT: '0', OPENTIME_WORKERS: '1' });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`${file}: campaigns[0] (id "summer-sale") at endsAt: expected an ISO 8601 time with a zone, e.g. 2026-11-25T18:00:00Z\n`);
  });

  test('a file that is not a campaigns list, or is missing, is refused with what was expected', () => {
    declare('- id: summer-sale\n');
    expect(() => loadCampaignsFile(file, FIXED_NOW)).toThrow(`${file}: expected a "campaigns:" list of campaigns, each with an id and a name (README, "Campaigns").`);
    expect(() => loadCampaignsFile(path.join(root, 'none.yaml'), FIXED_NOW)).toThrow(/^Cannot read the campaigns file .*none\.yaml \(OPENTIME_CAMPAIGNS\): ENOENT/);
  });

  test('the shipped example file is valid', () => {
    const example = loadCampaignsFile(path.join(__dirname, '..', 'config', 'campaigns.example.yaml'), FIXED_NOW);
    expect(example.map((campaign) => campaign.id)).toEqual(['summer-sale', 'members-news']);
  });
});
