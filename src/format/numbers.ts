import { LRUCache } from 'lru-cache';
import type { Count } from './interpolate';
import { numberFormat, pluralRules, safeLocale } from './intl-cache';

/** A price in the product's currency, written the way the subscriber's locale writes money. */
export function formatMoney(amount: number, currency: string, locale: string): string {
  // String(-0) is "0", but Intl writes -0 with its sign: keep them apart. Keyed by the resolved
  // locale, so tags that format alike (`de-DE-x-q1`, `de-DE`) share their strings.
  const key = `${safeLocale(locale)}|${currency}|${Object.is(amount, -0) ? '-0' : amount}`;
  let text = moneyTexts.get(key);
  if (text === undefined) {
    text = numberFormat(locale, `money:${currency}`, { style: 'currency', currency }).format(amount);
    moneyTexts.set(key, text);
  }
  return text;
}

/**
 * A catalogue has a few thousand distinct prices, and each card formats two
 * of them on every open; Intl's currency formatting costs several times the
 * lookup that replaces it.
 */
const moneyTexts = new LRUCache<string, string>({ max: 50_000 });

export function formatInteger(value: number, locale: string): string {
  return smallNumber(integerTables, locale, value, () => numberFormat(locale, 'integer', { maximumFractionDigits: 0 }).format(value));
}

/** A whole number a message counts something with: its figure in the locale, and the number its plural form is chosen by. */
export function countOf(value: number, locale: string): Count {
  return { count: value, text: formatInteger(value, locale) };
}

/** A fraction (0.25) as a locale percentage ("25 %" in German). */
export function formatPercent(fraction: number, locale: string): string {
  const format = (value: number): string => numberFormat(locale, 'percent', { style: 'percent', maximumFractionDigits: 0 }).format(value);
  // Shown in whole percents, rounded as Intl rounds the decimal value: fraction * 100 alone can land
  // just under a half (0.145 * 100 = 14.4999…), so it is read back at 15 significant digits first.
  const percent = Math.round(Number((fraction * 100).toPrecision(15)));
  if (!(percent >= 0 && percent < SMALL_LIMIT)) return format(fraction);
  return smallNumber(percentTables, locale, percent, () => format(percent / 100));
}

/** "2 days", "2 Tage", "2日" — unit names come from the locale's own data. */
export function formatUnit(value: number, unit: 'day' | 'hour' | 'minute' | 'second', locale: string): string {
  return smallNumber(unitTables[unit], locale, value, () => numberFormat(locale, `unit:${unit}`, { style: 'unit', unit, unitDisplay: 'long' }).format(value));
}

/**
 * The localized name of a unit to write under a figure: "days", "Tage", "日". CLDR's long unit
 * patterns choose the plural form (Polish "dzień", "dni"; Arabic "أيام" for 3 to 10, "يومًا" for
 * 11 to 99), but for some counts they write the number in the word itself and no figure: Arabic
 * "يوم" (a day) and "يومان" (two days), Hebrew "יומיים". A singular still reads under its figure;
 * a dual under "٢" would say "2 two days", so it takes the word the language writes after the
 * next figure it does write ("٢ أيام"). Kept per locale like the figures.
 */
export function unitLabel(value: number, unit: 'day' | 'hour' | 'minute' | 'second', locale: string): string {
  return smallNumber(unitLabelTables[unit], locale, value, () => unitLabelUncached(value, unit, locale));
}

/** Counts tried after one CLDR writes without a figure (a dual is followed by a plural within a few). */
const LABEL_SEARCH = 10;

function unitLabelUncached(value: number, unit: 'day' | 'hour' | 'minute' | 'second', locale: string): string {
  const format = numberFormat(locale, `unit:${unit}`, { style: 'unit', unit, unitDisplay: 'long' });
  const parts = format.formatToParts(value);
  const withFigure = (candidate: Intl.NumberFormatPart[]): boolean => candidate.some((part) => part.type === 'integer');
  if (!withFigure(parts) && pluralRules(locale).select(value) !== 'one') {
    for (let next = Math.floor(value) + 1; next <= value + LABEL_SEARCH; next++) {
      const nextParts = format.formatToParts(next);
      if (withFigure(nextParts)) return unitText(nextParts);
    }
  }
  return unitText(parts);
}

function unitText(parts: readonly Intl.NumberFormatPart[]): string {
  return parts
    .filter((part) => part.type === 'unit')
    .map((part) => part.value)
    .join('')
    .trim();
}

/** Two-digit clock figures in the locale's digits ("05", "٠٥"). */
export function formatTwoDigits(value: number, locale: string): string {
  return smallNumber(twoDigitTables, locale, value, () => numberFormat(locale, 'two-digits', { minimumIntegerDigits: 2, useGrouping: false }).format(value));
}

/**
 * Small whole numbers come back on every open (a countdown's seven figures,
 * the days left, a points gap), and asking Intl each time was most of a
 * countdown's resolve time. Their strings are kept per format and locale, in
 * arrays indexed by the value; other numbers are formatted as usual.
 */
const SMALL_LIMIT = 1000;
/** Resolved locales whose tables each format keeps: a table is 8 KB, and there are eleven formats. */
const MAX_LOCALE_TABLES = 200;
type SmallNumberTables = LRUCache<string, (string | undefined)[]>;
const smallTables = (): SmallNumberTables => new LRUCache({ max: MAX_LOCALE_TABLES });
const integerTables = smallTables();
const twoDigitTables = smallTables();
const percentTables = smallTables();
const unitTables = { day: smallTables(), hour: smallTables(), minute: smallTables(), second: smallTables() };
const unitLabelTables = { day: smallTables(), hour: smallTables(), minute: smallTables(), second: smallTables() };

function smallNumber(tables: SmallNumberTables, locale: string, value: number, format: () => string): string {
  if (!Number.isInteger(value) || value < 0 || value >= SMALL_LIMIT) return format();
  const resolvedLocale = safeLocale(locale);
  let table = tables.get(resolvedLocale);
  if (table === undefined) {
    table = new Array<string | undefined>(SMALL_LIMIT).fill(undefined);
    tables.set(resolvedLocale, table);
  }
  return (table[value] ??= format());
}

/** The largest number of entries any of the per-locale tables holds, and the money strings: for tests and memory checks. */
export function numberTextCacheSizes(): { localeTables: number; localeTablesMax: number; moneyTexts: number; moneyTextsMax: number } {
  const allTables = [integerTables, twoDigitTables, percentTables, ...Object.values(unitTables), ...Object.values(unitLabelTables)];
  return {
    localeTables: Math.max(...allTables.map((tables) => tables.size)),
    localeTablesMax: MAX_LOCALE_TABLES,
    moneyTexts: moneyTexts.size,
    moneyTextsMax: moneyTexts.max,
  };
}
