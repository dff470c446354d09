/**
 * What a reader sees in their language (README "Messages and translations"):
 * the message precedence with variants, translated fallback items in the JSON
 * and in the picture, the missing-translation warning, and plural forms.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBlocksConfig } from '../src/blocks/blocks-config';
import { missingTranslations, warnAboutMissingTranslations } from '../src/blocks/missing-translations';
import { jsonFor, resolveBlock, type Resolution } from '../src/blocks/resolve-block';
import { fallbackItemOf } from '../src/blocks/fallback-item';
import { buildDemoDataset } from '../src/data/demo-data';
import type { Campaign, Subscriber } from '../src/data/model';
import { interpolate } from '../src/format/interpolate';
import { formatUnit, unitLabel } from '../src/format/numbers';
import type { CountdownView } from '../src/kinds/countdown';
import { buildOpen } from '../src/open/open';
import { drawBlock } from '../src/render/draw-block';
import { DrawLog } from '../src/render/draw-log';
import { registerBundledFonts } from '../src/render/fonts';
import { defaultTheme } from '../src/render/theme';
import { openSqliteStorage, type SqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { loadConfig } from '../src/config';
import { loadBlocksConfig } from '../src/blocks/blocks-config';
import { translationCheckLines } from '../src/validate/translation-check';
import { subscriber } from './storage/contract';

const NOW = new Date('2026-11-22T10:00:00.000Z');
/** Ends in 5 hours: the last-day variant's rule holds. */
const LAST_DAY: Campaign = { id: 'flash', name: 'Flash', endsAt: '2026-11-22T15:00:00.000Z', allowedSenders: [], markets: [], templates: [], updatedAt: '2026-11-01T00:00:00.000Z' };
/** Ends in 3 days: no variant. */
const THREE_DAYS: Campaign = { ...LAST_DAY, endsAt: '2026-11-25T10:00:00.000Z' };

const blocks = parseBlocksConfig(
  `
blocks:
  - id: sale
    kind: countdown
    defaultUrl: https://shop.example/sale
    variants:
      - name: last-day
        when: { "<": [{ "var": "campaign.secondsLeft" }, 86400] }
        messages: { headline: "Last day! Sale ends in", cta: "Last chance" }
        translations:
          de: { headline: "Letzter Tag! Sale endet in" }
          de-CH: { cta: "Letzte Gelegenheit" }
    translations:
      de: { headline: "Sale endet in", cta: "Zum Sale", message: "Endet {deadline}" }
      de-AT: { cta: "Zum Abverkauf" }
      fr: { headline: "Les soldes se terminent dans", cta: "J'en profite" }
  - id: sale-de
    kind: countdown
    defaultUrl: https://shop.example/sale
    defaultLocale: de-DE
    messages: { cta: "Jetzt shoppen" }
    variants:
      - name: last-day
        when: { "<": [{ "var": "campaign.secondsLeft" }, 86400] }
        messages: { headline: "Letzter Tag!" }
        translations:
          fr: { headline: "Dernier jour !" }
    translations:
      de: { headline: "Sale endet in" }
      it: { headline: "I saldi finiscono tra" }
  - id: club
    kind: loyalty
    defaultUrl: https://shop.example/rewards
    fallback:
      items:
        - kind: fallback
          headline: Join our rewards club
          cta: { label: Learn more, url: "https://shop.example/rewards" }
          translations:
            de: { headline: "Werde Mitglied im Rewards-Club", cta: { label: "Mehr erfahren" } }
            ar: { headline: "انضم إلى نادي المكافآت", cta: { label: "اعرف المزيد" } }
`,
  'test blocks',
);

function reader(locale: string): Subscriber {
  return subscriber('s1', { firstName: 'Kim', locale, timeZone: 'Europe/Berlin' });
}

async function countdownFor(blockId: string, locale: string, campaign: Campaign): Promise<CountdownView> {
  const block = blocks.get(blockId)!;
  const open = buildOpen({ now: NOW, subscriber: reader(locale), campaign, client: 'direct' });
  const resolution = await resolveBlock(block, open, {} as never);
  if (resolution.outcome !== 'view' || resolution.view.kind !== 'countdown') throw new Error(`expected a countdown view, got ${JSON.stringify(resolution)}`);
  return resolution.view;
}

describe('messages: the reader\'s region, their language, the block\'s default language, then English', () => {
  test('without a variant: region over language over English defaults, key by key', async () => {
    const austrian = await countdownFor('sale', 'de-AT', THREE_DAYS);
    expect([austrian.headline, austrian.cta.label]).toEqual(['Sale endet in', 'Zum Abverkauf']);
    const german = await countdownFor('sale', 'de-DE', THREE_DAYS);
    expect([german.headline, german.cta.label]).toEqual(['Sale endet in', 'Zum Sale']);
    // No Italian: the block's default language, English.
    const italian = await countdownFor('sale', 'it-IT', THREE_DAYS);
    expect([italian.headline, italian.cta.label]).toEqual(['Sale ends in', 'Shop the sale']);
  });

  test('a German reader on the last day reads the German last-day headline, not the English variant', async () => {
    const view = await countdownFor('sale', 'de-DE', LAST_DAY);
    expect(view.headline).toBe('Letzter Tag! Sale endet in');
    // The variant has no German cta: the block's German one, not the variant's English "Last chance".
    expect(view.cta.label).toBe('Zum Sale');
  });

  test("a variant's region translation wins; its language translation wins over the block's region one", async () => {
    const swiss = await countdownFor('sale', 'de-CH', LAST_DAY);
    expect([swiss.headline, swiss.cta.label]).toEqual(['Letzter Tag! Sale endet in', 'Letzte Gelegenheit']);
    const austrian = await countdownFor('sale', 'de-AT', LAST_DAY);
    // The variant says nothing about the cta in German: the block's de-AT one.
    expect([austrian.headline, austrian.cta.label]).toEqual(['Letzter Tag! Sale endet in', 'Zum Abverkauf']);
  });

  test("a reader of a language neither translates reads the variant's own messages; English readers too", async () => {
    const italian = await countdownFor('sale', 'it-IT', LAST_DAY);
    expect([italian.headline, italian.cta.label]).toEqual(['Last day! Sale ends in', 'Last chance']);
    const english = await countdownFor('sale', 'en-GB', LAST_DAY);
    expect([english.headline, english.cta.label]).toEqual(['Last day! Sale ends in', 'Last chance']);
    // French: the block's French for both keys the variant does not translate into French.
    const french = await countdownFor('sale', 'fr-FR', LAST_DAY);
    expect([french.headline, french.cta.label]).toEqual(['Les soldes se terminent dans', "J'en profite"]);
  });

  test("a block written in German: a Polish reader reads its German, then the kind's English for keys it leaves", async () => {
    const polish = await countdownFor('sale-de', 'pl-PL', THREE_DAYS);
    expect([polish.headline, polish.cta.label, polish.message.startsWith('Ends ')]).toEqual(['Sale endet in', 'Jetzt shoppen', true]);
    const italian = await countdownFor('sale-de', 'it-IT', THREE_DAYS);
    expect(italian.headline).toBe('I saldi finiscono tra');
    // The last day: the variant's German (its untranslated messages are in the default language) for Polish, its French for French.
    expect((await countdownFor('sale-de', 'pl-PL', LAST_DAY)).headline).toBe('Letzter Tag!');
    expect((await countdownFor('sale-de', 'fr-FR', LAST_DAY)).headline).toBe('Dernier jour !');
    // Italian has a block translation and the variant none in Italian: the Italian base, not the German variant.
    expect((await countdownFor('sale-de', 'it-IT', LAST_DAY)).headline).toBe('I saldi finiscono tra');
  });

  test('an unknown translation key in a variant stops start-up naming it', () => {
    expect(() =>
      parseBlocksConfig(
        'blocks:\n  - { id: x, kind: countdown, defaultUrl: "https://shop.example", variants: [{ name: v, when: true, translations: { de: { headlin: "x" } } }] }\n',
        'f.yaml',
      ),
    ).toThrow(/blocks\[0\] \(id "x"\)\.variants\[0\]\.translations\.de: unknown message "headlin"/);
  });
});

describe('fallback items in the reader\'s language', () => {
  const block = blocks.get('club')!;
  const heldBack: Resolution = { outcome: 'fallback', reason: 'data_missing', detail: 'no subscriber' };

  test('the JSON: the item with its translation merged (the cta keeps its URL), without the translations', () => {
    expect(jsonFor(block, heldBack, 'de-AT')).toEqual({
      items: [{ kind: 'fallback', headline: 'Werde Mitglied im Rewards-Club', cta: { label: 'Mehr erfahren', url: 'https://shop.example/rewards' } }],
    });
    expect(jsonFor(block, heldBack, 'it-IT')).toEqual({
      items: [{ kind: 'fallback', headline: 'Join our rewards club', cta: { label: 'Learn more', url: 'https://shop.example/rewards' } }],
    });
  });

  test('the picture draws the same translated strings (draw log), right to left for Arabic', () => {
    registerBundledFonts();
    for (const [locale, expected] of [
      ['de-DE', ['Werde Mitglied im Rewards-Club', 'Mehr erfahren']],
      ['ar-EG', ['انضم إلى نادي المكافآت', 'اعرف المزيد']],
    ] as const) {
      const log = new DrawLog();
      drawBlock(fallbackItemOf(block, locale), defaultTheme(), { scale: 1, images: new Map(), drawLog: log });
      expect(log.texts).toEqual([...expected]);
      expect(log.shortened).toEqual([]);
    }
  });

  test('a generic open (no subscriber) through resolveBlock gets the fallback in the block default language', async () => {
    const open = buildOpen({ now: NOW, subscriber: null, campaign: null, client: 'direct' });
    const resolution = await resolveBlock(block, open, {} as never);
    expect(resolution.outcome).toBe('fallback');
    expect(jsonFor(block, resolution, open.locale).items[0]).toMatchObject({ headline: 'Join our rewards club' });
  });
});

describe('the missing-translation warning', () => {
  let dir: string;
  let storage: SqliteStorage;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-translations-'));
    storage = openSqliteStorage(path.join(dir, 'opentime.db'));
    const locales = ['de-DE', 'de-CH', 'it-IT', 'it-IT', 'pl-PL', 'en-GB', 'fr-FR', 'ar-EG', 'no-such-locale!'];
    await storage.ingestion.upsertSubscribers(locales.map((locale, i) => subscriber(`s${i}`, { locale })));
  });
  afterEach(async () => {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('lists per block exactly the locales whose language it has no translation for, with their counts', async () => {
    const missing = missingTranslations(blocks, await storage.subscriberLocales.localeCounts());
    expect(missing).toEqual([
      // "sale": de (de-CH counts through de), fr, and English by default; an unknown locale reads as en-US.
      { blockId: 'sale', locales: [{ locale: 'it-IT', subscribers: 2 }, { locale: 'ar-EG', subscribers: 1 }, { locale: 'pl-PL', subscribers: 1 }] },
      // "sale-de": written in German, translated to Italian: English readers are missing too.
      {
        blockId: 'sale-de',
        locales: [
          { locale: 'ar-EG', subscribers: 1 },
          { locale: 'en-GB', subscribers: 1 },
          { locale: 'fr-FR', subscribers: 1 },
          { locale: 'no-such-locale!', subscribers: 1 },
          { locale: 'pl-PL', subscribers: 1 },
        ],
      },
      // "club" has only English messages (its fallback's translations are not its messages).
      {
        blockId: 'club',
        locales: [
          { locale: 'it-IT', subscribers: 2 },
          { locale: 'ar-EG', subscribers: 1 },
          { locale: 'de-CH', subscribers: 1 },
          { locale: 'de-DE', subscribers: 1 },
          { locale: 'fr-FR', subscribers: 1 },
          { locale: 'pl-PL', subscribers: 1 },
        ],
      },
    ]);
  });

  test('`opentime validate` prints the same, one warning line per block, naming the blocks file', async () => {
    const blocksFile = path.join(dir, 'blocks.yaml');
    fs.writeFileSync(blocksFile, 'blocks:\n  - { id: only-german, kind: countdown, defaultUrl: "https://shop.example", translations: { de: { headline: "Sale endet in" } } }\n');
    await storage.close();
    const config = loadConfig({ OPENTIME_DATA_DIR: dir, OPENTIME_BLOCKS: blocksFile }, dir);
    expect(await translationCheckLines(config, loadBlocksConfig(blocksFile))).toEqual([
      `${blocksFile}: warning: block "only-german" has no translation for it-IT (2 subscribers), ar-EG (1 subscriber), fr-FR (1 subscriber), pl-PL (1 subscriber): they read its default language`,
    ]);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-translations-empty-'));
    try {
      expect(await translationCheckLines(loadConfig({ OPENTIME_DATA_DIR: empty, OPENTIME_BLOCKS: blocksFile }, empty), loadBlocksConfig(blocksFile))).toEqual([
        `${blocksFile}: translations not checked: no database at ${path.join(empty, 'opentime.db')} yet`,
      ]);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('start-up logs one warning per block that misses some', async () => {
    const warnings: { fields: unknown; message: string }[] = [];
    await warnAboutMissingTranslations(blocks, storage.subscriberLocales, { warn: ((fields: unknown, message: string) => warnings.push({ fields, message })) as never });
    expect(warnings.map((warning) => warning.message)).toEqual([
      'block "sale" has no translation for it-IT (2 subscribers), ar-EG (1 subscriber), pl-PL (1 subscriber): they read its default language',
      'block "sale-de" has no translation for ar-EG (1 subscriber), en-GB (1 subscriber), fr-FR (1 subscriber), no-such-locale! (1 subscriber), pl-PL (1 subscriber): they read its default language',
      'block "club" has no translation for it-IT (2 subscribers), ar-EG (1 subscriber), de-CH (1 subscriber), de-DE (1 subscriber), fr-FR (1 subscriber), pl-PL (1 subscriber): they read its default language',
    ]);
    expect(warnings[0]!.fields).toEqual({ block: 'sale', locales: ['it-IT', 'ar-EG', 'pl-PL'] });
  });

  test('the demo blocks miss no demo subscriber\'s language, so the demo starts without a translations warning', () => {
    const demo = buildDemoDataset({ baseUrl: 'https://opentime.test', now: NOW });
    const locales = demo.subscribers.map((reader) => ({ locale: reader.locale, subscribers: 1 }));
    const demoBlocks = loadBlocksConfig(path.join(__dirname, '..', 'config', 'blocks.yaml'));
    expect([...demoBlocks.keys()]).toContain('style-results');
    expect(missingTranslations(demoBlocks, locales)).toEqual([]);
  });
});

describe('plural forms and unit labels from CLDR', () => {
  const COUNTS = [0, 1, 2, 3, 11, 100] as const;

  test.each([
    // What a countdown box writes under its figure: the plural form for that figure, never a word that holds a number itself.
    ['en-US', 'day', ['days', 'day', 'days', 'days', 'days', 'days']],
    ['en-US', 'second', ['seconds', 'second', 'seconds', 'seconds', 'seconds', 'seconds']],
    ['de-DE', 'day', ['Tage', 'Tag', 'Tage', 'Tage', 'Tage', 'Tage']],
    ['de-DE', 'hour', ['Stunden', 'Stunde', 'Stunden', 'Stunden', 'Stunden', 'Stunden']],
    ['ja-JP', 'day', ['日', '日', '日', '日', '日', '日']],
    ['ja-JP', 'minute', ['分', '分', '分', '分', '分', '分']],
    ['pl-PL', 'day', ['dni', 'dzień', 'dni', 'dni', 'dni', 'dni']],
    ['pl-PL', 'hour', ['godzin', 'godzina', 'godziny', 'godziny', 'godzin', 'godzin']],
    ['pl-PL', 'minute', ['minut', 'minuta', 'minuty', 'minuty', 'minut', 'minut']],
    // Arabic: "يومان" is "two days" by itself; under the figure ٢ the box says "أيام" (days), as under ٣.
    ['ar-EG', 'day', ['يوم', 'يوم', 'أيام', 'أيام', 'يومًا', 'يوم']],
    ['ar-EG', 'hour', ['ساعة', 'ساعة', 'ساعات', 'ساعات', 'ساعة', 'ساعة']],
    ['ar-EG', 'second', ['ثانية', 'ثانية', 'ثوان', 'ثوان', 'ثانية', 'ثانية']],
  ] as const)('%s %s labels at 0, 1, 2, 3, 11, 100', (locale, unit, expected) => {
    expect(COUNTS.map((count) => unitLabel(count, unit, locale))).toEqual(expected);
  });

  test.each([
    ['en-US', ['0 days', '1 day', '2 days', '3 days', '11 days', '100 days']],
    ['de-DE', ['0 Tage', '1 Tag', '2 Tage', '3 Tage', '11 Tage', '100 Tage']],
    ['ja-JP', ['0 日', '1 日', '2 日', '3 日', '11 日', '100 日']],
    ['pl-PL', ['0 dni', '1 dzień', '2 dni', '3 dni', '11 dni', '100 dni']],
    // A count written out whole: Arabic's own dual and singular, no figure repeated.
    ['ar-EG', ['٠ يوم', 'يوم', 'يومان', '٣ أيام', '١١ يومًا', '١٠٠ يوم']],
  ] as const)('%s: days written whole (the countdown text line)', (locale, expected) => {
    expect(COUNTS.map((count) => formatUnit(count, 'day', locale))).toEqual(expected);
  });

  test('a running Arabic countdown 2 days and 2 hours out: labels أيام and ساعات under ٠٢, no "٢ يومان"', async () => {
    const campaign: Campaign = { ...LAST_DAY, endsAt: new Date(NOW.getTime() + (2 * 86_400 + 2 * 3_600 + 11 * 60 + 1) * 1000).toISOString() };
    const view = await countdownFor('sale', 'ar-EG', campaign);
    expect(view.units.map((unit) => [unit.value, unit.label])).toEqual([
      ['٢', 'أيام'],
      ['٠٢', 'ساعات'],
      ['١١', 'دقيقة'],
      ['٠١', 'ثانية'],
    ]);
    expect(view.text).toBe('يومان ٠٢:١١:٠١');
  });

  test('the demo loyalty block counts points in the reader\'s plural forms', async () => {
    const demo = loadBlocksConfig(path.join(__dirname, '..', 'config', 'blocks.yaml'));
    const loyalty = demo.get('loyalty-status')!;
    const texts = async (locale: string, loyaltyPoints: number): Promise<[string, string]> => {
      const open = buildOpen({ now: NOW, subscriber: subscriber('s1', { locale, loyaltyPoints, loyaltyTier: null }), campaign: null, client: 'direct' });
      const resolution = await resolveBlock(loyalty, open, {} as never);
      if (resolution.outcome !== 'view' || resolution.view.kind !== 'loyalty') throw new Error('expected a loyalty view');
      return [resolution.view.balance, resolution.view.progressText];
    };
    // Tiers: Bronze from 100, Silver 1000, Gold 2500.
    expect(await texts('en-US', 1)).toEqual(['1 point', '99 points to Bronze']);
    expect(await texts('en-US', 2499)).toEqual(['2,499 points', '1 point to Gold']);
    expect(await texts('de-DE', 1)).toEqual(['1 Punkt', 'Noch 99 Punkte bis Bronze']);
    expect(await texts('de-DE', 2499)).toEqual(['2.499 Punkte', 'Noch 1 Punkt bis Gold']);
    expect(await texts('ar-EG', 2)).toEqual(['نقطتان', 'تبقّى ٩٨ نقطة للوصول إلى Bronze']);
    expect(await texts('ar-EG', 97)).toEqual(['٩٧ نقطة', 'تبقّى ٣ نقاط للوصول إلى Bronze']);
    expect(await texts('ar-EG', 98)).toEqual(['٩٨ نقطة', 'تبقّى نقطتان للوصول إلى Bronze']);
    expect(await texts('pt-BR', 999)).toEqual(['999 pontos', 'Falta 1 ponto para Silver']);
  });

  const points = '{points, plural, one {# point} other {# points}}';
  const polish = '{points, plural, one {# punkt} few {# punkty} many {# punktów} other {# punktu}}';
  const arabic = '{points, plural, zero {# نقطة} one {نقطة واحدة} two {نقطتان} few {# نقاط} many {# نقطة} other {# نقطة}}';
  const count = (value: number, locale: string) => ({ count: value, text: new Intl.NumberFormat(locale).format(value) });

  test.each([
    ['en-US', points, ['0 points', '1 point', '2 points', '3 points', '11 points', '100 points']],
    ['de-DE', '{points, plural, one {# Punkt} other {# Punkte}}', ['0 Punkte', '1 Punkt', '2 Punkte', '3 Punkte', '11 Punkte', '100 Punkte']],
    ['ja-JP', '{points, plural, other {#ポイント}}', ['0ポイント', '1ポイント', '2ポイント', '3ポイント', '11ポイント', '100ポイント']],
    ['pl-PL', polish, ['0 punktów', '1 punkt', '2 punkty', '3 punkty', '11 punktów', '100 punktów']],
    ['ar-EG', arabic, ['٠ نقطة', 'نقطة واحدة', 'نقطتان', '٣ نقاط', '١١ نقطة', '١٠٠ نقطة']],
  ] as const)('%s: a count-with-noun message picks its plural form by Intl.PluralRules', (locale, template, expected) => {
    expect(COUNTS.map((value) => interpolate(template, { points: count(value, locale) }, locale))).toEqual(expected);
  });

  test('=N matches exactly, other placeholders fill inside a branch, and a plural without a count stays visible', () => {
    const template = '{remaining, plural, =0 {You made it, {name}!} one {# point to {tier}} other {# points to {tier}}}';
    expect(interpolate(template, { remaining: 0, name: 'Kim' }, 'en-US')).toBe('You made it, Kim!');
    expect(interpolate(template, { remaining: { count: 1, text: '1' }, tier: 'Gold' }, 'en-US')).toBe('1 point to Gold');
    expect(interpolate(template, { remaining: { count: 1240, text: '1,240' }, tier: 'Gold' }, 'en-US')).toBe('1,240 points to Gold');
    expect(interpolate(template, {}, 'en-US')).toBe(template);
  });
});
