import { LRUCache } from 'lru-cache';
import { numberFormat } from './intl-cache';

/** A price in the product's currency, written the way the subscriber's locale writes money. */
export function formatMoney(amount: number, currency: string, locale: string): string {
  return numberFormat(locale, `money:${currency}`, { style: 'currency', currency }).format(amount);
}

export function formatInteger(value: number, locale: string): string {
  return numberFormat(locale, 'integer', { maximumFractionDigits: 0 }).format(value);
}

/** A fraction (0.25) as a locale percentage ("25 %" in German). */
export function formatPercent(fraction: number, locale: string): string {
  return numberFormat(locale, 'percent', { style: 'percent', maximumFractionDigits: 0 }).format(fraction);
}

/** "2 days", "2 Tage", "2日" — unit names come from the locale's own data. */
export function formatUnit(value: number, unit: 'day' | 'hour' | 'minute' | 'second', locale: string): string {
  return numberFormat(locale, `unit:${unit}`, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

/** Unit names depend only on (locale, unit, value): a countdown asks for the same few hundred again and again. */
const unitLabels = new LRUCache<string, string>({ max: 20_000 });

/** The localized name of a unit for a value, without the number: "days", "Tage". */
export function unitLabel(value: number, unit: 'day' | 'hour' | 'minute' | 'second', locale: string): string {
  const key = `${locale}|${unit}|${value}`;
  let label = unitLabels.get(key);
  if (label === undefined) {
    label = unitLabelUncached(value, unit, locale);
    unitLabels.set(key, label);
  }
  return label;
}

function unitLabelUncached(value: number, unit: 'day' | 'hour' | 'minute' | 'second', locale: string): string {
  const parts = numberFormat(locale, `unit:${unit}`, { style: 'unit', unit, unitDisplay: 'long' }).formatToParts(value);
  return parts
    .filter((part) => part.type === 'unit')
    .map((part) => part.value)
    .join('')
    .trim();
}

/** Two-digit clock figures in the locale's digits ("05", "٠٥"). */
export function formatTwoDigits(value: number, locale: string): string {
  return numberFormat(locale, 'two-digits', { minimumIntegerDigits: 2, useGrouping: false }).format(value);
}
