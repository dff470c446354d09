import { interpolate } from '../format/interpolate';
import type { RuleFacts } from '../rules/facts';
import type { PreparedBlock } from './prepared-block';

/**
 * The message table for one open: the kind's defaults, then the block's
 * overrides, then the subscriber's language and exact locale, then the first
 * variant whose rule holds. Tables are read, never changed, by the callers.
 */
export function messageTable(block: PreparedBlock, locale: string, facts: RuleFacts): { table: Readonly<Record<string, string>>; variant: string | null } {
  const base = localeTable(block, locale);
  for (const variant of block.variants) {
    if (variant.when(facts)) return { table: { ...base, ...variant.messages }, variant: variant.name };
  }
  return { table: base, variant: null };
}

/** Most locales whose merged table a block keeps; past it the tables are built afresh (rare: locales are Intl-checked). */
const MAX_LOCALES_PER_BLOCK = 200;
/** The merged table depends only on the block and the locale: built once per pair, not on every open. */
const localeTables = new WeakMap<PreparedBlock, Map<string, Readonly<Record<string, string>>>>();

function localeTable(block: PreparedBlock, locale: string): Readonly<Record<string, string>> {
  let byLocale = localeTables.get(block);
  if (!byLocale) localeTables.set(block, (byLocale = new Map()));
  let table = byLocale.get(locale);
  if (!table) {
    const { config, kind } = block;
    const language = locale.split('-')[0] as string;
    table = Object.freeze({ ...kind.defaultMessages, ...config.messages, ...config.translations[language], ...config.translations[locale] });
    if (byLocale.size < MAX_LOCALES_PER_BLOCK) byLocale.set(locale, table);
  }
  return table;
}

export function messageLookup(table: Readonly<Record<string, string>>) {
  return (key: string, values: Readonly<Record<string, string | number | null | undefined>> = {}): string =>
    interpolate(table[key] ?? key, values);
}
