import { LRUCache } from 'lru-cache';

/**
 * Intl formatters are expensive to build (tens of microseconds) and cheap to
 * use, so each distinct (locale, options) pair is built once per process.
 * Locales and time zones come from subscriber data we do not control: an
 * unsupported one falls back instead of throwing in the middle of an open.
 *
 * Every cache here is bounded, and formatters are keyed by the locale Intl
 * actually formats with, not the string a subscriber record holds: BCP 47
 * allows endless distinct tags that format alike (`de-DE-x-q1`, `de-DE-x-q2`,
 * `DE-de`), and keying by them built one set of formatters per subscriber.
 */

export const DEFAULT_LOCALE = 'en-US';
export const DEFAULT_TIME_ZONE = 'UTC';

/** Raw subscriber strings seen recently, mapped to what they resolve to; a miss only costs one resolution. */
const MAX_REQUESTED_LOCALES = 5_000;
const MAX_REQUESTED_TIME_ZONES = 5_000;
/**
 * Resolved locales × formats × zones in use. A shop in a few dozen locales and zones needs a few
 * hundred; each formatter holds some kilobytes of ICU data.
 */
const MAX_FORMATTERS = 2_000;

const resolvedLocales = new LRUCache<string, string>({ max: MAX_REQUESTED_LOCALES });
/** Formatting subtags (`de-DE`, `ar-EG-u-nu-latn`) to the locale Intl resolves them to. */
const resolvedFormattingLocales = new LRUCache<string, string>({ max: MAX_REQUESTED_LOCALES });
const resolvedTimeZones = new LRUCache<string, string>({ max: MAX_REQUESTED_TIME_ZONES });
const formatterCache = new LRUCache<string, Intl.NumberFormat | Intl.DateTimeFormat>({ max: MAX_FORMATTERS });

/**
 * The locale Intl formats `locale` with, or the default when Intl supports none of it. The result
 * drops what cannot change formatting (private-use and variant subtags, extension keys Intl ignores)
 * and keeps what can (`-u-nu-`, `-u-ca-`, `-u-hc-`): `de-DE-x-q1` and `DE-de` are both `de-DE`.
 */
export function safeLocale(locale: string | null | undefined): string {
  if (!locale) return DEFAULT_LOCALE;
  let resolved = resolvedLocales.get(locale);
  if (resolved === undefined) {
    resolved = resolveLocale(locale);
    resolvedLocales.set(locale, resolved);
  }
  return resolved;
}

function resolveLocale(locale: string): string {
  let formattingPart: string;
  try {
    formattingPart = formattingSubtags(locale);
  } catch {
    return DEFAULT_LOCALE;
  }
  let resolved = resolvedFormattingLocales.get(formattingPart);
  if (resolved === undefined) {
    resolved = Intl.DateTimeFormat.supportedLocalesOf([formattingPart]).length === 0 ? DEFAULT_LOCALE : new Intl.DateTimeFormat(formattingPart).resolvedOptions().locale;
    resolvedFormattingLocales.set(formattingPart, resolved);
  }
  return resolved;
}

/**
 * Only the subtags that can change how Intl formats: language, script, region and the calendar,
 * hour cycle and numbering system keys (`de-DE-x-q1` is `de-DE`). Intl drops the rest when it
 * resolves a tag anyway; dropping it first means a formatter (and the native memory ICU holds
 * for it until a major collection) is built once per distinct formatting locale, not once per
 * distinct string. Throws RangeError for a string that is no BCP 47 tag.
 */
function formattingSubtags(locale: string): string {
  const parsed = new Intl.Locale(locale);
  return new Intl.Locale(parsed.language, {
    script: parsed.script,
    region: parsed.region,
    calendar: parsed.calendar,
    hourCycle: parsed.hourCycle,
    numberingSystem: parsed.numberingSystem,
  }).toString();
}

/** An IANA time zone Intl knows, in its canonical spelling (`europe/berlin` is `Europe/Berlin`), or UTC. */
export function safeTimeZone(timeZone: string | null | undefined): string {
  if (!timeZone) return DEFAULT_TIME_ZONE;
  // Zone names are case-insensitive to Intl: `EUROPE/berlin` must not cost an entry of its own.
  const key = timeZone.toLowerCase();
  let resolved = resolvedTimeZones.get(key);
  if (resolved === undefined) {
    try {
      resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
    } catch {
      resolved = DEFAULT_TIME_ZONE;
    }
    resolvedTimeZones.set(key, resolved);
  }
  return resolved;
}

export function isSupportedTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * `key` names the options (e.g. "money:EUR"): callers pass a constant or a
 * cheap concatenation, because serialising the options on every call costed
 * more than the formatting itself.
 */
export function numberFormat(locale: string, key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const resolvedLocale = safeLocale(locale);
  const cacheKey = `n|${resolvedLocale}|${key}`;
  let formatter = formatterCache.get(cacheKey) as Intl.NumberFormat | undefined;
  if (!formatter) {
    formatter = new Intl.NumberFormat(resolvedLocale, options);
    formatterCache.set(cacheKey, formatter);
  }
  return formatter;
}

export function dateTimeFormat(locale: string, key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const resolvedLocale = safeLocale(locale);
  const timeZone = safeTimeZone(options.timeZone);
  const cacheKey = `d|${resolvedLocale}|${timeZone}|${key}`;
  let formatter = formatterCache.get(cacheKey) as Intl.DateTimeFormat | undefined;
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(resolvedLocale, { ...options, timeZone });
    formatterCache.set(cacheKey, formatter);
  }
  return formatter;
}

/** A locale's language and region subtags ("en-GB" → en, GB), or null when it is no locale: read on every open (data/market.ts), parsed once. */
export interface LocaleParts {
  language: string;
  region: string | null;
}
const localePartsByTag = new LRUCache<string, LocaleParts | false>({ max: MAX_REQUESTED_LOCALES });

export function localeParts(locale: string): LocaleParts | null {
  let parts = localePartsByTag.get(locale);
  if (parts === undefined) {
    try {
      const parsed = new Intl.Locale(locale);
      parts = { language: parsed.language, region: parsed.region ?? null };
    } catch {
      parts = false;
    }
    localePartsByTag.set(locale, parts);
  }
  return parts || null;
}

/** Plural rules by resolved locale: a message's plural form (format/interpolate.ts), a unit's label (format/numbers.ts). */
const pluralRulesByLocale = new LRUCache<string, Intl.PluralRules>({ max: MAX_FORMATTERS });

export function pluralRules(locale: string): Intl.PluralRules {
  const resolvedLocale = safeLocale(locale);
  let rules = pluralRulesByLocale.get(resolvedLocale);
  if (!rules) {
    rules = new Intl.PluralRules(resolvedLocale);
    pluralRulesByLocale.set(resolvedLocale, rules);
  }
  return rules;
}

/** How many entries each cache holds, and its bound: for tests and memory checks. */
export function intlCacheSizes(): Record<'requestedLocales' | 'formattingLocales' | 'requestedTimeZones' | 'formatters', { size: number; max: number }> {
  return {
    requestedLocales: { size: resolvedLocales.size, max: MAX_REQUESTED_LOCALES },
    formattingLocales: { size: resolvedFormattingLocales.size, max: MAX_REQUESTED_LOCALES },
    requestedTimeZones: { size: resolvedTimeZones.size, max: MAX_REQUESTED_TIME_ZONES },
    formatters: { size: formatterCache.size, max: MAX_FORMATTERS },
  };
}
