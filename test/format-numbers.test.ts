import { formatInteger, formatMoney, formatPercent, formatTwoDigits, formatUnit } from '../src/format/numbers';

/** What Intl itself says, to compare the kept strings with. */
const intl = (locale: string, options: Intl.NumberFormatOptions, value: number): string => new Intl.NumberFormat(locale, options).format(value);

describe('number formatting with kept strings', () => {
  const locales = ['en-US', 'de-DE', 'ar-EG', 'ja-JP', 'fr-FR'];

  test('every locale keeps its own strings: a table never answers for another locale or currency', () => {
    // Twice over, so the second round reads what the first one kept.
    for (let round = 0; round < 2; round++) {
      for (const locale of locales) {
        for (const value of [0, 5, 9, 59, 99, 999, 1000, 12_345]) {
          expect(formatInteger(value, locale)).toBe(intl(locale, { maximumFractionDigits: 0 }, value));
          expect(formatUnit(value, 'day', locale)).toBe(intl(locale, { style: 'unit', unit: 'day', unitDisplay: 'long' }, value));
        }
        for (const value of [0, 7, 59]) expect(formatTwoDigits(value, locale)).toBe(intl(locale, { minimumIntegerDigits: 2, useGrouping: false }, value));
        for (const [amount, currency] of [[119, 'EUR'], [119, 'USD'], [89.5, 'JPY'], [1234.56, 'EUR']] as const) {
          expect(formatMoney(amount, currency, locale)).toBe(intl(locale, { style: 'currency', currency }, amount));
        }
      }
    }
    expect(formatTwoDigits(5, 'ar-EG')).toBe('٠٥');
    expect(formatTwoDigits(5, 'en-US')).toBe('05');
  });

  test('percentages show the whole percent the fraction rounds to, whatever was asked first', () => {
    expect(formatPercent(0.25, 'en-US')).toBe('25%');
    expect(formatPercent(0.2549, 'en-US')).toBe('25%');
    expect(formatPercent(0.2551, 'en-US')).toBe('26%');
    expect(formatPercent(0.25, 'de-DE')).toBe(intl('de-DE', { style: 'percent' }, 0.25));
    expect(formatPercent(-0.1, 'en-US')).toBe('-10%');
    // Intl rounds the decimal value; 0.145 * 100 is 14.4999… in binary, and must still show 15%.
    for (const fraction of [0.145, 0.285, 0.565, 0.575, 1.005, -0.995, 12.345]) {
      expect(formatPercent(fraction, 'en-US')).toBe(intl('en-US', { style: 'percent', maximumFractionDigits: 0 }, fraction));
    }
  });

  test('-0 keeps its sign, as Intl writes it, even after 0 was formatted', () => {
    expect(formatMoney(0, 'EUR', 'en-US')).toBe(intl('en-US', { style: 'currency', currency: 'EUR' }, 0));
    expect(formatMoney(-0, 'EUR', 'en-US')).toBe(intl('en-US', { style: 'currency', currency: 'EUR' }, -0));
  });

  test('non-integers and large values are formatted, not looked up', () => {
    expect(formatInteger(2.6, 'en-US')).toBe('3');
    expect(formatInteger(1_234_567, 'de-DE')).toBe('1.234.567');
  });
});
