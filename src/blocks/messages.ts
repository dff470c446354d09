import { interpolate, type MessageValues } from '../format/interpolate';
import type { RuleFacts } from '../rules/facts';
import type { PreparedBlock } from './prepared-block';

/** A block's (or one variant's) own wording: untranslated `messages` and per-language `translations`. */
export interface MessageSource {
  messages: Readonly<Record<string, string>>;
  translations: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

type Table = Readonly<Record<string, string>>;

/**
 * The message table for one open (README "Messages and translations"). Each
 * key takes the first text found, in this order:
 *
 * 1. the variant whose rule holds, in the reader's language (`de-CH`, then `de`);
 * 2. the block, in the reader's language;
 * 3. the variant in the block's default language (its `defaultLocale`, then
 *    that language), then its untranslated `messages`;
 * 4. the block the same way;
 * 5. the kind's English defaults.
 *
 * So a variant never imposes its default-language text over a translation the
 * block has for the reader, and a reader whose language is the default one
 * reads the variant's `messages` as its text in their language. Tables are
 * read, never changed, by the callers.
 */
export function messageTable(block: PreparedBlock, locale: string, facts: RuleFacts): { table: Table; variant: string | null } {
  const index = block.variants.findIndex((variant) => variant.when(facts));
  const tables = localeTables(block, locale);
  if (index < 0) return { table: tables.base, variant: null };
  const variant = block.variants[index] as PreparedBlock['variants'][number];
  const table = (tables.variants[index] ??= buildTable(block, locale, variant));
  return { table, variant: variant.name };
}

/** The tables of one (block, locale): the block's, and each variant's once it has been shown. */
interface LocaleTables {
  base: Table;
  variants: (Table | undefined)[];
}

/** Most locales whose merged tables a block keeps; past it the tables are built afresh (rare: locales are Intl-checked). */
const MAX_LOCALES_PER_BLOCK = 200;
/** The merged tables depend only on the block, the variant and the locale: built once per triple, not on every open. */
const tablesByBlock = new WeakMap<PreparedBlock, Map<string, LocaleTables>>();

function localeTables(block: PreparedBlock, locale: string): LocaleTables {
  let byLocale = tablesByBlock.get(block);
  if (!byLocale) tablesByBlock.set(block, (byLocale = new Map()));
  let tables = byLocale.get(locale);
  if (!tables) {
    tables = { base: buildTable(block, locale, null), variants: [] };
    if (byLocale.size < MAX_LOCALES_PER_BLOCK) byLocale.set(locale, tables);
  }
  return tables;
}

function buildTable(block: PreparedBlock, locale: string, variant: MessageSource | null): Table {
  const { reader, fallback } = languageChain(locale, block.config.defaultLocale);
  const base: MessageSource = block.config;
  // Lowest precedence first: each layer overrides the ones before it.
  const layers: (Table | undefined)[] = [block.kind.defaultMessages];
  layers.push(...textsIn(base, fallback), ...(variant ? textsIn(variant, fallback) : []));
  layers.push(...textsIn(base, reader), ...(variant ? textsIn(variant, reader) : []));
  return Object.freeze(Object.assign({}, ...layers) as Record<string, string>);
}

/** Sentinel for a source's untranslated `messages` in a chain of translation keys. */
const UNTRANSLATED = '';

/** A source's texts for a chain of keys, lowest precedence first (the chain is highest first). */
function textsIn(source: MessageSource, chain: readonly string[]): (Table | undefined)[] {
  return chain.map((key) => (key === UNTRANSLATED ? source.messages : source.translations[key])).reverse();
}

/**
 * The translation keys that speak the reader's language (`de-CH`, `de`),
 * and those of the block's default language (its `defaultLocale`, that
 * language, and the untranslated messages), most specific first. When the
 * reader's language is the default one, the two are one chain.
 */
function languageChain(locale: string, defaultLocale: string | undefined): { reader: string[]; fallback: string[] } {
  const readerKeys = translationKeys(locale);
  const defaultKeys = defaultLocale ? translationKeys(defaultLocale) : [DEFAULT_LANGUAGE];
  const readerLanguage = readerKeys[readerKeys.length - 1];
  const defaultLanguage = defaultKeys[defaultKeys.length - 1];
  if (readerLanguage === defaultLanguage) return { reader: unique([...readerKeys, ...defaultKeys, UNTRANSLATED]), fallback: [] };
  return { reader: readerKeys, fallback: [...defaultKeys, UNTRANSLATED] };
}

/**
 * The translation keys a reader's texts are looked up under, most specific
 * first: their language's, then the block's default language's (fallback
 * items use it; message tables add the untranslated messages and variants).
 */
export function translationChain(locale: string, defaultLocale: string | undefined): string[] {
  const { reader, fallback } = languageChain(locale, defaultLocale);
  return [...reader, ...fallback].filter((key) => key !== UNTRANSLATED);
}

/** The kind's default messages are English: a block without `defaultLocale` is written in English. */
const DEFAULT_LANGUAGE = 'en';

/**
 * The keys a translation may be written under for a locale, most specific
 * first: `de-CH`, `de`; `zh-Hant-TW`, `zh-TW`, `zh`. Translation keys are
 * BCP 47 tags as the config writes them; Intl resolves subscriber locales to
 * the same canonical casing.
 */
export function translationKeys(locale: string): string[] {
  let parsed: Intl.Locale;
  try {
    parsed = new Intl.Locale(locale);
  } catch {
    return [locale];
  }
  const keys = [locale, parsed.script && parsed.region ? `${parsed.language}-${parsed.region}` : undefined, parsed.language];
  return unique(keys.filter((key): key is string => key !== undefined));
}

function unique(keys: readonly string[]): string[] {
  return [...new Set(keys)];
}

/** The language a locale's translations are looked up under last (`de` for `de-CH`). */
export function languageOf(locale: string): string {
  const keys = translationKeys(locale);
  return keys[keys.length - 1] as string;
}

export function messageLookup(table: Table, locale: string) {
  return (key: string, values: MessageValues = {}): string => interpolate(table[key] ?? key, values, locale);
}
