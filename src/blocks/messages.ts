import { interpolate } from '../format/interpolate';
import type { RuleFacts } from '../rules/facts';
import type { PreparedBlock } from './kind';

/**
 * The message table for one open: the kind's defaults, then the block's
 * overrides, then the subscriber's language and exact locale, then the first
 * variant whose rule holds.
 */
export function messageTable(block: PreparedBlock, locale: string, facts: RuleFacts): { table: Record<string, string>; variant: string | null } {
  const { config, kind } = block;
  const language = locale.split('-')[0] as string;
  const table: Record<string, string> = {
    ...kind.defaultMessages,
    ...config.messages,
    ...config.translations[language],
    ...config.translations[locale],
  };
  for (const variant of block.variants) {
    if (variant.when(facts)) {
      Object.assign(table, variant.messages);
      return { table, variant: variant.name };
    }
  }
  return { table, variant: null };
}

export function messageLookup(table: Readonly<Record<string, string>>) {
  return (key: string, values: Readonly<Record<string, string | number | null | undefined>> = {}): string =>
    interpolate(table[key] ?? key, values);
}
