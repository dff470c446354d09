import { safeLocale } from '../format/intl-cache';
import type { Logger } from '../log';
import type { LocaleCount, SubscriberLocales } from '../storage/ports/subscriber-locales';
import type { BlockCatalog } from './blocks-config';
import { languageOf } from './messages';
import type { PreparedBlock } from './prepared-block';

/** A block, and the subscriber locales it has no translation for (README "Messages and translations"). */
export interface MissingTranslation {
  blockId: string;
  /** Most subscribers first, as the database counted them. */
  locales: LocaleCount[];
}

/**
 * The locales among `locales` that read a block in a language it was not
 * written in: neither its default language (its `defaultLocale`'s, else
 * English, the kind's defaults) nor one of its `translations` (`de-CH`
 * counts for every `de` reader: a language-level match). A locale Intl does
 * not know reads as the default locale, as it does at open. Blocks that miss
 * none are left out.
 */
export function missingTranslations(blocks: BlockCatalog, locales: readonly LocaleCount[]): MissingTranslation[] {
  const missing: MissingTranslation[] = [];
  for (const block of blocks.values()) {
    const languages = writtenIn(block);
    const lacking = locales.filter(({ locale }) => !languages.has(languageOf(safeLocale(locale))));
    if (lacking.length > 0) missing.push({ blockId: block.config.id, locales: lacking });
  }
  return missing;
}

function writtenIn(block: PreparedBlock): Set<string> {
  const { defaultLocale, translations } = block.config;
  return new Set([languageOf(safeLocale(defaultLocale ?? 'en')), ...Object.keys(translations).map(languageOf)]);
}

/** "it-IT (120 subscribers), nl-NL (1 subscriber)". */
export function describeLocales(locales: readonly LocaleCount[]): string {
  return locales.map(({ locale, subscribers }) => `${locale} (${subscribers} ${subscribers === 1 ? 'subscriber' : 'subscribers'})`).join(', ');
}

/**
 * At start-up: one warning per block that some subscribers would read in its
 * default language rather than their own. Reads every subscriber once; a
 * database that cannot answer costs a warning, never the start.
 */
export async function warnAboutMissingTranslations(blocks: BlockCatalog, store: SubscriberLocales, log: Pick<Logger, 'warn'>): Promise<void> {
  let locales: LocaleCount[];
  try {
    locales = await store.localeCounts();
  } catch (error) {
    log.warn({ err: error }, 'could not count the locales subscribers read in; translations not checked');
    return;
  }
  for (const { blockId, locales: lacking } of missingTranslations(blocks, locales)) {
    log.warn(
      { block: blockId, locales: lacking.map(({ locale }) => locale) },
      `block "${blockId}" has no translation for ${describeLocales(lacking)}: they read its default language`,
    );
  }
}
