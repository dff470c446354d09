import { deadlineTextCacheSize, formatDeadline } from '../src/format/dates';
import { intlCacheSizes, safeLocale, safeTimeZone } from '../src/format/intl-cache';
import { formatInteger, formatMoney, formatPercent, formatTwoDigits, formatUnit, numberTextCacheSizes, unitLabel } from '../src/format/numbers';
import { buildOpen } from '../src/open/open';
import type { Subscriber } from '../src/data/model';

const deadline = new Date('2026-11-30T22:59:59Z');

/** Everything a view formats for one open, in the open's locale and zone. */
function formattedView(locale: string, timeZone: string): string[] {
  return [
    formatMoney(119.9, 'EUR', locale),
    formatMoney(1234.5, 'USD', locale),
    formatInteger(3, locale),
    formatPercent(0.25, locale),
    formatUnit(2, 'day', locale),
    unitLabel(5, 'hour', locale),
    formatTwoDigits(7, locale),
    formatDeadline(deadline, locale, timeZone),
  ];
}

function subscriber(locale: string, timeZone: string): Subscriber {
  return {
    id: 'sub-1', firstName: 'Emma', locale, timeZone, currency: 'EUR', country: 'DE', city: null,
    loyaltyPoints: 0, loyaltyTier: null, recentViews: [], cart: [], purchases: [], updatedAt: '2026-01-01T00:00:00Z',
  };
}

describe('Intl caches under subscriber-controlled locales', () => {
  test('20,000 distinct private-use locales format as the base locale and leave every cache bounded', () => {
    const baseOpen = buildOpen({ now: deadline, subscriber: subscriber('de-DE', 'Europe/Berlin'), campaign: null, client: 'amp' });
    const expected = formattedView(baseOpen.locale, baseOpen.timeZone);
    const formattersForOneLocale = intlCacheSizes().formatters.size;

    for (let index = 0; index < 20_000; index++) {
      const privateUse = `de-DE-x-q${index.toString(36).padStart(4, '0')}`;
      // Half through an open (what the endpoints do), half straight to the formatters.
      if (index % 2 === 0) {
        const open = buildOpen({ now: deadline, subscriber: subscriber(privateUse, 'europe/BERLIN'), campaign: null, client: 'amp' });
        expect(open.locale).toBe('de-DE');
        expect(open.timeZone).toBe('Europe/Berlin');
        expect(formattedView(open.locale, open.timeZone)).toEqual(expected);
      } else {
        expect(formattedView(privateUse, 'Europe/Berlin')).toEqual(expected);
      }
    }

    const sizes = intlCacheSizes();
    // Every tag formats as de-DE: not one formatter more than for de-DE alone.
    expect(sizes.formatters.size).toBe(formattersForOneLocale);
    expect(sizes.formattingLocales.size).toBe(1);
    expect(sizes.requestedLocales.size).toBeLessThanOrEqual(sizes.requestedLocales.max);
    expect(sizes.requestedLocales.max).toBeLessThan(20_000);
    expect(sizes.requestedTimeZones.size).toBe(1);
    const numberTexts = numberTextCacheSizes();
    expect(numberTexts.localeTables).toBe(1);
    expect(numberTexts.moneyTexts).toBe(2);
    expect(deadlineTextCacheSize().size).toBe(1);
  });

  test('subtags that change formatting are kept, the rest dropped, and nonsense falls back', () => {
    expect(safeLocale('ar-EG-u-nu-latn')).toBe('ar-EG-u-nu-latn');
    expect(formatTwoDigits(5, 'ar-EG-u-nu-latn')).toBe('05');
    expect(formatTwoDigits(5, 'ar-EG-x-anything')).toBe('٠٥');
    expect(safeLocale('ja-JP-u-ca-japanese-hc-h12')).toBe('ja-JP-u-ca-japanese-hc-h12');
    expect(safeLocale('DE-de')).toBe('de-DE');
    expect(safeLocale('de-CH-1996-x-tracking')).toBe('de-CH');
    expect(safeLocale('not a locale')).toBe('en-US');
    expect(safeLocale('zz-ZZ')).toBe('en-US');
    expect(safeTimeZone('Mars/Olympus_Mons')).toBe('UTC');
  });

  test('every cache keeps its bound when each tag is a different formatting locale', () => {
    const numberingSystems = ['arab', 'latn', 'deva', 'thai', 'beng', 'fullwide', 'hanidec', 'mymr', 'tamldec', 'khmr'];
    const calendars = ['gregory', 'buddhist', 'islamic', 'japanese', 'hebrew', 'persian', 'indian', 'coptic', 'ethiopic', 'roc'];
    // 400 formatting locales of 8 formatters each: more than either bound holds.
    for (const language of ['de', 'fr', 'es', 'it']) {
      for (const nu of numberingSystems) {
        for (const ca of calendars) formattedView(`${language}-u-ca-${ca}-nu-${nu}`, 'UTC');
      }
    }
    const sizes = intlCacheSizes();
    for (const cache of Object.values(sizes)) expect(cache.size).toBeLessThanOrEqual(cache.max);
    expect(sizes.formatters.size).toBe(sizes.formatters.max);
    const numberTexts = numberTextCacheSizes();
    expect(numberTexts.localeTables).toBe(numberTexts.localeTablesMax);
    expect(numberTexts.moneyTexts).toBeLessThanOrEqual(numberTexts.moneyTextsMax);
  });
});
