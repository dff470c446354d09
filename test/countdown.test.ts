import { parseBlocksConfig } from '../src/blocks/blocks-config';
import { createFixture, FIXED_NOW, type Fixture } from './helpers/app-fixture';
import { ampGet, viewOf } from './helpers/amp-request';

// The demo flash-sale ends 3 days after FIXED_NOW (2026-11-25T10:00Z); spring-sale ended 2 days before it.
describe('countdown block', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  test('shows the exact time left at the moment of the open, in the subscriber locale', async () => {
    fixture.clock.now = new Date(FIXED_NOW.getTime() + (3_600 + 14 * 60 + 5) * 1000); // 1h14m05s later
    const view = await viewOf(fixture, 'flash-countdown', 'sub-emma');
    expect(view.state).toBe('running');
    expect(view.secondsLeft).toBe(3 * 86_400 - 4_445);
    expect(view.text).toBe('2 days 22:45:55');
    expect(view.units).toEqual([
      { key: 'days', value: '2', label: 'days' },
      { key: 'hours', value: '22', label: 'hours' },
      { key: 'minutes', value: '45', label: 'minutes' },
      { key: 'seconds', value: '55', label: 'seconds' },
    ]);
    expect(view.headline).toBe('Sale ends in');
    // Emma lives in New York: the deadline reads in her zone.
    expect(view.deadlineText).toBe('Wed, Nov 25, 5:00 AM EST');
  });

  test('German subscriber gets German units, zone and translated messages', async () => {
    const view = await viewOf(fixture, 'flash-countdown', 'sub-lena');
    expect(view.units.map((unit: { label: string }) => unit.label)).toEqual(['Tage', 'Stunden', 'Minuten', 'Sekunden']);
    expect(view.text).toBe('3 Tage 00:00:00');
    expect(view.headline).toBe('Sale endet in');
    expect(view.deadlineText).toBe('Mi., 25. Nov., 11:00 MEZ');
  });

  test('Japanese subscriber gets Japanese units and Tokyo time', async () => {
    const view = await viewOf(fixture, 'flash-countdown', 'sub-yui');
    expect(view.units[0]).toEqual({ key: 'days', value: '3', label: '日' });
    expect(view.deadlineText).toContain('19:00');
    expect(view.headline).toBe('セール終了まで');
  });

  test('a passed deadline is a distinct expired state, never a negative timer', async () => {
    const view = await viewOf(fixture, 'flash-countdown', 'sub-emma', 'spring-sale');
    expect(view.state).toBe('expired');
    expect(view.secondsLeft).toBe(0);
    expect(view.units).toEqual([]);
    expect(view.headline).toBe('This sale has ended');
    expect(view.message).toBe('New offers are waiting for you.');
    expect(`${view.headline} ${view.message} ${view.text}`).not.toMatch(/-\s*\d/);
  });

  test('expires exactly at the deadline, and the last-day variant applies under 24 hours', async () => {
    fixture.clock.now = new Date('2026-11-25T09:59:59.000Z');
    const lastSecond = await viewOf(fixture, 'flash-countdown', 'sub-emma');
    expect(lastSecond.state).toBe('running');
    expect(lastSecond.text).toBe('00:00:01');
    expect(lastSecond.headline).toBe('Last day! Sale ends in');
    fixture.clock.now = new Date('2026-11-25T10:00:00.000Z');
    expect((await viewOf(fixture, 'flash-countdown', 'sub-emma')).state).toBe('expired');
  });

  test('a campaign without a deadline shows the fallback', async () => {
    await fixture.storage.campaigns.upsertCampaigns([{ id: 'evergreen', name: 'Evergreen', endsAt: null, allowedSenders: [] }]);
    const response = await ampGet(fixture, 'flash-countdown', fixture.token('sub-emma', 'evergreen'));
    expect(response.status).toBe(200);
    expect(response.body.items[0].kind).toBe('fallback');
  });

  test('a block-level endsAt overrides the campaign deadline', async () => {
    const blocks = parseBlocksConfig(
      'blocks:\n  - { id: fixed, kind: countdown, defaultUrl: "https://shop.example", endsAt: "2026-11-22T12:30:00Z" }\n',
      'inline',
    );
    const local = await createFixture({ blocks });
    const view = await viewOf(local, 'fixed', 'sub-emma');
    expect(view.text).toBe('02:30:00');
    await local.close();
  });
});
