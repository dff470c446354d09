import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCampaignCreate, runCampaignList, runCampaignShow, runCampaignUpdate, type CampaignCommandIo } from '../src/commands/campaign';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { FIXED_NOW } from './helpers/app-fixture';
import { textSink } from './helpers/cli-environment';
import { runCli } from './helpers/processes';

/** `opentime campaign` against a temporary data directory, as a user's shell would run it (README, "Campaigns"). */
describe('opentime campaign', () => {
  let dir: string;
  let io: () => CampaignCommandIo & { stdout: ReturnType<typeof textSink>; stderr: ReturnType<typeof textSink> };
  let clock: Date;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-campaign-'));
    clock = FIXED_NOW;
    const env = { OPENTIME_DATA_DIR: dir, OPENTIME_DEMO: 'false' };
    io = () => ({ env, cwd: dir, stdout: textSink(), stderr: textSink(), now: () => clock });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const stored = (id: string) => {
    const storage = openSqliteStorage(path.join(dir, 'opentime.db'));
    return storage.catalogue.getCampaign(id).finally(() => storage.close());
  };

  test('create writes a campaign; create again refuses the existing id', async () => {
    const first = io();
    const code = await runCampaignCreate(
      'summer-sale',
      { name: 'Summer Sale', endsAt: '2026-12-01T18:00:00+01:00', senders: 'news@shop.example, partner.example', markets: 'DE,AT', templates: 'flash-sale' },
      first,
    );
    expect([code, first.stdout.text(), first.stderr.text()]).toEqual([0, 'Created campaign "summer-sale".\n', '']);
    expect(await stored('summer-sale')).toEqual({
      id: 'summer-sale',
      name: 'Summer Sale',
      endsAt: '2026-12-01T17:00:00.000Z',
      allowedSenders: ['news@shop.example', 'partner.example'],
      markets: ['DE', 'AT'],
      templates: ['flash-sale'],
      updatedAt: FIXED_NOW.toISOString(),
    });

    const again = io();
    expect(await runCampaignCreate('summer-sale', { name: 'Other' }, again)).toBe(1);
    expect(again.stderr.text()).toBe('opentime campaign create: campaign "summer-sale" already exists; change it with: opentime campaign update summer-sale …\n');
    expect((await stored('summer-sale'))?.name).toBe('Summer Sale');
  });

  test('update changes only the fields given and refuses a missing id', async () => {
    await runCampaignCreate('summer-sale', { name: 'Summer Sale', endsAt: '2026-12-01T17:00:00Z', markets: 'DE' }, io());
    clock = new Date(FIXED_NOW.getTime() + 60_000);
    const update = io();
    expect(await runCampaignUpdate('summer-sale', { endsAt: 'none', markets: '' }, update)).toBe(0);
    expect(update.stdout.text()).toBe('Updated campaign "summer-sale".\n');
    expect(await stored('summer-sale')).toMatchObject({ name: 'Summer Sale', endsAt: null, markets: [], updatedAt: clock.toISOString() });

    const missing = io();
    expect(await runCampaignUpdate('winter-sale', { name: 'Winter' }, missing)).toBe(1);
    expect(missing.stderr.text()).toBe('opentime campaign update: no campaign "winter-sale"; create it with: opentime campaign create winter-sale --name …\n');
    expect(await stored('winter-sale')).toBeUndefined();

    const nothing = io();
    expect(await runCampaignUpdate('summer-sale', {}, nothing)).toBe(1);
    expect(nothing.stderr.text()).toMatch(/nothing to change; give at least one of --name, --ends-at/);
  });

  test('the API validation, with every problem named by its option; nothing is written', async () => {
    const bad = io();
    const code = await runCampaignCreate('bad id', { name: 'Bad', endsAt: 'tomorrow', senders: 'news@shop.example,*', markets: 'DE,UK', templates: 'flash-sale,nope' }, bad);
    expect(code).toBe(1);
    expect(bad.stderr.text().split('\n')).toEqual([
      'opentime campaign create: nothing was written:',
      expect.stringMatching(/^  <id>: expected 1–128 letters, digits/),
      expect.stringMatching(/^  --ends-at: expected an ISO 8601 time with a zone/),
      expect.stringMatching(/^  --senders entry 2: expected an email address .*received "\*", which would let any sender read these endpoints/),
      expect.stringMatching(/^  --markets entry 2: .*the United Kingdom as GB/),
      '  --templates entry 2: unknown template "nope"; expected one of the templates in amp-templates/: flash-sale, loyalty-update, style-survey, welcome',
      '',
    ]);
    const list = io();
    await runCampaignList(list);
    expect(list.stdout.text()).toBe('No campaigns. Create one with: opentime campaign create <id> --name <name>\n');
  });

  test('list prints a table by id; show prints one campaign as JSON', async () => {
    await runCampaignCreate('winter-sale', { name: 'Winter Sale', endsAt: '2026-12-24T12:00:00Z', markets: 'DE,AT', templates: 'flash-sale', senders: 'news@shop.example' }, io());
    await runCampaignCreate('loyalty-update', { name: 'Loyalty Update', templates: 'loyalty-update' }, io());
    const list = io();
    expect(await runCampaignList(list)).toBe(0);
    expect(list.stdout.text().split('\n')).toEqual([
      'ID              NAME            ENDS AT                   MARKETS  TEMPLATES       SENDERS            UPDATED AT',
      'loyalty-update  Loyalty Update  no deadline               all      loyalty-update  -                  2026-11-22T10:00:00.000Z',
      'winter-sale     Winter Sale     2026-12-24T12:00:00.000Z  DE,AT    flash-sale      news@shop.example  2026-11-22T10:00:00.000Z',
      '',
    ]);
    const show = io();
    expect(await runCampaignShow('winter-sale', show)).toBe(0);
    expect(JSON.parse(show.stdout.text())).toEqual(await stored('winter-sale'));
    const missing = io();
    expect(await runCampaignShow('nope', missing)).toBe(1);
    expect(missing.stderr.text()).toMatch(/no campaign "nope"/);
  });

  test('the built CLI: create, show, and an existing id refused with exit code 1', () => {
    const env = { OPENTIME_DATA_DIR: dir, OPENTIME_DEMO: 'false' };
    const created = runCli(['campaign', 'create', 'spring-drop', '--name', 'Spring Drop', '--ends-at', '2027-03-01T09:00:00Z', '--markets', 'FR'], env);
    expect([created.status, created.stdout]).toEqual([0, 'Created campaign "spring-drop".\n']);
    const shown = runCli(['campaign', 'show', 'spring-drop'], env);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: 'spring-drop', endsAt: '2027-03-01T09:00:00.000Z', markets: ['FR'] });
    const refused = runCli(['campaign', 'create', 'spring-drop', '--name', 'Again'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/already exists/);
  });
});
