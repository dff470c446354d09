import request from 'supertest';
import { parseBlocksConfig } from '../src/blocks/blocks-config';
import { addCalendarDays, parseDuration } from '../src/kinds/countdown/deadline';
import { isViewOf } from '../src/kinds/kind-of-view';
import { createPreviewService } from '../src/preview/preview-service';
import { FirstOpens } from '../src/recording/first-opens';
import { createRecordingApp, GMAIL_PROXY, MPP, NOW, type RecordingApp } from './helpers/recording-app';
import { buildDemoDataset } from '../src/data/demo-data';

// Evergreen countdowns (README "Blocks", countdown `deadline:`): each subscriber's own deadline.
const BLOCKS = `
blocks:
  - { id: welcome, kind: countdown, defaultUrl: "https://shop.example/welcome", deadline: { afterFirstOpen: 48h } }
  - { id: week, kind: countdown, defaultUrl: "https://shop.example/welcome", deadline: { afterFirstOpen: 2d } }
  - id: coupon
    kind: countdown
    defaultUrl: https://shop.example/coupon
    deadline: { profileDate: voucherExpiresAt }
    fallback: { items: [{ kind: fallback, headline: "New offers every week", cta: { label: "See what's new", url: "https://shop.example/new" } }] }
`;

const HOUR = 3_600_000;
/** The demo's own coupon date (seeded for every demo subscriber), left alone by the dates the tests set. */
const DEMO_COUPON_EXPIRY = buildDemoDataset({ baseUrl: 'https://opentime.test', now: NOW }).subscribers[0]?.dates?.couponExpiresAt;
let fx: RecordingApp;
beforeEach(async () => {
  fx = await createRecordingApp({ blocksYaml: BLOCKS });
});
afterEach(() => fx.close());

/** The countdown the last image showed. */
function lastDrawn(): { deadline: string; secondsLeft: number } {
  const view = fx.drawn.at(-1);
  if (!view || !isViewOf(view, 'countdown')) throw new Error(`expected a countdown picture, drew ${JSON.stringify(view)}`);
  return view;
}

const later = (ms: number): void => {
  fx.clock.now = new Date(fx.clock.now.getTime() + ms);
};

describe('evergreen countdown: after the first human open', () => {
  test('the first open starts the clock; re-opens, the image and another client count to the same moment', async () => {
    const start = fx.clock.now;
    const first = await fx.json('welcome', 'sub-emma');
    expect(first.deadline).toBe(new Date(start.getTime() + 48 * HOUR).toISOString());
    expect(first.text).toBe('2 days 00:00:00');

    later(5 * HOUR);
    const reopened = await fx.json('welcome', 'sub-emma');
    expect(reopened.deadline).toBe(first.deadline);
    expect(reopened.text).toBe('1 day 19:00:00');

    await fx.image('welcome', 'sub-emma'); // Apple Mail on a Mac
    expect(lastDrawn()).toMatchObject({ deadline: first.deadline, secondsLeft: 43 * 3600 });
    later(HOUR);
    await fx.image('welcome', 'sub-emma', { userAgent: GMAIL_PROXY, address: '66.102.0.10' });
    expect(lastDrawn()).toMatchObject({ deadline: first.deadline, secondsLeft: 42 * 3600 });

    // Another subscriber's clock is their own.
    expect((await fx.json('welcome', 'sub-lena')).deadline).toBe(new Date(start.getTime() + 54 * HOUR).toISOString());
  });

  test('an image first (Gmail) starts the clock the JSON then counts to', async () => {
    await fx.image('welcome', 'sub-emma', { userAgent: GMAIL_PROXY, address: '66.102.0.10' });
    const deadline = lastDrawn().deadline;
    later(2 * HOUR);
    const view = await fx.json('welcome', 'sub-emma');
    expect(view.deadline).toBe(deadline);
    expect(view.text).toBe('1 day 22:00:00');
  });

  test('once the time is up, every open shows the expired state', async () => {
    await fx.json('welcome', 'sub-emma');
    later(48 * HOUR);
    const view = await fx.json('welcome', 'sub-emma');
    expect(view.state).toBe('expired');
    expect(view.headline).toBe('This sale has ended');
  });

  test('an Apple Mail Privacy Protection prefetch never starts the clock', async () => {
    await fx.image('welcome', 'sub-emma', MPP);
    expect(lastDrawn().secondsLeft).toBe(48 * 3600); // the whole offer, from now
    later(3 * HOUR);
    await fx.image('welcome', 'sub-emma', MPP);
    expect(lastDrawn().secondsLeft).toBe(48 * 3600);
    expect(await fx.storage.firstOpens.get('flash-sale', 'sub-emma')).toBeUndefined();

    const human = fx.clock.now;
    const view = await fx.json('welcome', 'sub-emma');
    expect(view.deadline).toBe(new Date(human.getTime() + 48 * HOUR).toISOString());
    later(HOUR);
    // After the human open, a prefetch (say of a forwarded copy) shows the running clock, and records nothing new.
    await fx.image('welcome', 'sub-emma', MPP);
    expect(lastDrawn()).toMatchObject({ deadline: view.deadline, secondsLeft: 47 * 3600 });
  });

  test('a preview shows the clock in force and never starts one', async () => {
    const preview = createPreviewService({ store: fx.storage.catalogue, blocks: fx.blocks, renderer: { preview: () => Promise.reject(new Error('no pictures here')) }, firstOpens: new FirstOpens(fx.storage.firstOpens) });
    const previewAt = async (at: Date) => {
      const subject = await preview.subjectOf({ campaignId: 'flash-sale', subscriberId: 'sub-emma', at, client: 'amp' });
      return (await preview.block(subject, preview.blockOf('welcome'))).json.items[0] as { deadline: string };
    };
    const before = await previewAt(fx.clock.now);
    expect(before.deadline).toBe(new Date(fx.clock.now.getTime() + 48 * HOUR).toISOString());
    expect(await fx.storage.firstOpens.get('flash-sale', 'sub-emma')).toBeUndefined();
    const opened = await fx.json('welcome', 'sub-emma');
    expect((await previewAt(new Date(fx.clock.now.getTime() + 3 * HOUR))).deadline).toBe(opened.deadline);
  });

  test('each campaign starts its own clock', async () => {
    const first = await fx.json('welcome', 'sub-emma', 'flash-sale');
    later(HOUR);
    const other = await fx.json('welcome', 'sub-emma', 'spring-sale');
    expect(Date.parse(other.deadline) - Date.parse(first.deadline)).toBe(HOUR);
  });
});

describe('evergreen countdown across a daylight-saving change', () => {
  test('Europe (Berlin, last Sunday of March): 2d ends at the same wall-clock time, 48h an hour later on the clock', async () => {
    fx.clock.now = new Date('2026-03-28T09:00:00Z'); // Saturday 10:00 CET
    const days = await fx.json('week', 'sub-lena');
    const hours = await fx.json('welcome', 'sub-lena');
    expect(days.deadline).toBe('2026-03-30T08:00:00.000Z');
    expect(days.deadlineText).toBe('Mo., 30. März, 10:00 MESZ');
    expect(days.secondsLeft).toBe(47 * 3600); // the night of the change is an hour short
    expect(hours.deadline).toBe('2026-03-30T09:00:00.000Z');
    expect(hours.deadlineText).toBe('Mo., 30. März, 11:00 MESZ');
    // Re-opened after the change: the same moment, nothing recounted in the new offset.
    fx.clock.now = new Date('2026-03-29T12:00:00Z');
    expect((await fx.json('week', 'sub-lena')).deadline).toBe(days.deadline);
  });

  test('US (New York): spring forward in March, fall back in November', async () => {
    fx.clock.now = new Date('2026-03-07T15:00:00Z'); // Saturday 10:00 EST
    const spring = await fx.json('week', 'sub-emma');
    expect(spring.deadline).toBe('2026-03-09T14:00:00.000Z');
    expect(spring.deadlineText).toBe('Mon, Mar 9, 10:00 AM EDT');
    expect(spring.secondsLeft).toBe(47 * 3600);

    fx.clock.now = new Date('2026-10-31T14:00:00Z'); // Saturday 10:00 EDT
    const fall = await fx.json('week', 'sub-emma', 'spring-sale');
    expect(fall.deadline).toBe('2026-11-02T15:00:00.000Z');
    expect(fall.deadlineText).toBe('Mon, Nov 2, 10:00 AM EST');
    expect(fall.secondsLeft).toBe(49 * 3600);
  });

  test('a wall-clock time the change skips moves on by the gap; one it repeats takes the first', () => {
    // Friday 02:30 CET + 2 days = Sunday 02:30, which does not exist in Berlin that night: 03:30 CEST.
    expect(new Date(addCalendarDays(Date.parse('2026-03-27T01:30:00Z'), 2, 'Europe/Berlin')).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // Friday 02:30 CEST + 2 days = Sunday 02:30, which happens twice: the first, still CEST.
    expect(new Date(addCalendarDays(Date.parse('2026-10-23T00:30:00Z'), 2, 'Europe/Berlin')).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // US: 01:30 on the first Sunday of November happens twice; the first is EDT (05:30Z).
    expect(new Date(addCalendarDays(Date.parse('2026-10-31T05:30:00Z'), 1, 'America/New_York')).toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  test('durations: days, hours, minutes and seconds in that order, never zero', () => {
    expect(parseDuration('48h')).toEqual({ days: 0, elapsedMs: 48 * HOUR });
    expect(parseDuration('1d 12h')).toEqual({ days: 1, elapsedMs: 12 * HOUR });
    expect(parseDuration('90m')).toEqual({ days: 0, elapsedMs: 90 * 60_000 });
    for (const bad of ['', '0h', '2 days', 'h', '12h1d', '-1h']) expect(parseDuration(bad)).toBeUndefined();
  });
});

describe('evergreen countdown: a date of the subscriber profile', () => {
  const postSubscribers = (body: unknown) =>
    request(fx.app).post('/api/v1/subscribers').set('Authorization', `Bearer ${fx.apiKey()}`).set('Content-Type', 'application/json').send(JSON.stringify(body));

  test('counts down to the date set through POST /api/v1/subscribers; without it, the block fallback', async () => {
    const none = await fx.json('coupon', 'sub-emma');
    expect(none).toMatchObject({ kind: 'fallback', headline: 'New offers every week' });

    const posted = await postSubscribers({ subscribers: [{ id: 'sub-emma', dates: { voucherExpiresAt: '2026-11-24T23:59:00-05:00' } }] });
    expect(posted.status).toBe(200);
    const view = await fx.json('coupon', 'sub-emma');
    expect(view.deadline).toBe('2026-11-25T04:59:00.000Z');
    expect(view.deadlineText).toBe('Tue, Nov 24, 11:59 PM EST');
    await fx.image('coupon', 'sub-emma', { userAgent: GMAIL_PROXY, address: '66.102.0.10' });
    expect(lastDrawn().deadline).toBe(view.deadline);

    // Another date leaves this one; null removes it.
    await postSubscribers({ subscribers: [{ id: 'sub-emma', dates: { birthday: '1990-05-01T00:00:00Z' } }] });
    expect((await fx.json('coupon', 'sub-emma')).deadline).toBe(view.deadline);
    await postSubscribers({ subscribers: [{ id: 'sub-emma', dates: { voucherExpiresAt: null } }] });
    expect((await fx.json('coupon', 'sub-emma')).kind).toBe('fallback');
    expect((await fx.storage.catalogue.getSubscriber('sub-emma'))?.dates).toEqual({ birthday: '1990-05-01T00:00:00Z', couponExpiresAt: DEMO_COUPON_EXPIRY });
  });

  test('a date that is no ISO time, or a bad name, is refused saying what was expected', async () => {
    const response = await postSubscribers({ subscribers: [{ id: 'sub-emma', dates: { voucherExpiresAt: 'next friday', 'bad name': '2026-11-24T23:59:00Z' } }] });
    expect(response.status).toBe(400);
    expect(response.text).toContain('expected an ISO 8601 time with a zone');
    expect(response.text).toContain('expected a date name');
  });
});

describe('evergreen countdown config', () => {
  const load = (block: string) => () => parseBlocksConfig(`blocks:\n  - ${block}\n`, 'blocks.yaml');

  test('mistakes stop start-up naming the block, the path and what was expected', () => {
    expect(load('{ id: w, kind: countdown, defaultUrl: "https://shop.example", deadline: { afterFirstOpen: "two days" } }')).toThrow(/blocks\.yaml.*w.*deadline\.afterFirstOpen.*expected a duration such as "48h"/s);
    expect(load('{ id: w, kind: countdown, defaultUrl: "https://shop.example", deadline: {} }')).toThrow(/deadline.*expected exactly one of afterFirstOpen/s);
    expect(load('{ id: w, kind: countdown, defaultUrl: "https://shop.example", endsAt: "2026-12-01T00:00:00Z", deadline: { afterFirstOpen: 48h } }')).toThrow(/deadline.*either endsAt .* or deadline/s);
    expect(load('{ id: w, kind: countdown, defaultUrl: "https://shop.example", deadline: { profileDate: "coupon expiry" } }')).toThrow(/deadline\.profileDate.*expected the name of a date/s);
  });
});
