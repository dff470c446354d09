/** How many subscribers read in one locale, as their records hold it ("de-DE", "pt-BR"). */
export interface LocaleCount {
  locale: string;
  subscribers: number;
}

/**
 * The locales subscribers read in, for the start-up check and
 * `opentime validate` that warn about blocks without a translation for
 * them (blocks/missing-translations.ts). Not on the catalogue reader: that
 * port promises reads whose cost does not grow with the catalogue, and this
 * one reads every subscriber, once per start or validation, never per open.
 *
 * Promises (test/storage/contract.ts): one entry per distinct locale string
 * with the number of subscribers holding it, most subscribers first, ties by
 * locale; none when there are no subscribers; a committed write is counted.
 */
export interface SubscriberLocales {
  localeCounts(): Promise<LocaleCount[]>;
}
