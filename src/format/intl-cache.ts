/**
 * Intl formatters are expensive to build (tens of microseconds) and cheap to
 * use, so each distinct (locale, options) pair is built once per process.
 * Locales and time zones come from subscriber data we do not control: an
 * unsupported one falls back instead of throwing in the middle of an open.
 */

export const DEFAULT_LOCALE = 'en-US';
export const DEFAULT_TIME_ZONE = 'UTC';

const localeCache = new Map<string, string>();
const timeZoneCache = new Map<string, string>();
const formatterCache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

/** A locale Intl supports, or the default. */
export function safeLocale(locale: string | null | undefined): string {
  if (!locale) return DEFAULT_LOCALE;
  let resolved = localeCache.get(locale);
  if (resolved === undefined) {
    try {
      resolved = Intl.NumberFormat.supportedLocalesOf([locale])[0] ?? DEFAULT_LOCALE;
    } catch {
      resolved = DEFAULT_LOCALE;
    }
    localeCache.set(locale, resolved);
  }
  return resolved;
}

/** An IANA time zone Intl knows, or UTC. */
export function safeTimeZone(timeZone: string | null | undefined): string {
  if (!timeZone) return DEFAULT_TIME_ZONE;
  let resolved = timeZoneCache.get(timeZone);
  if (resolved === undefined) {
    try {
      resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
    } catch {
      resolved = DEFAULT_TIME_ZONE;
    }
    timeZoneCache.set(timeZone, resolved);
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
  const cacheKey = `n|${locale}|${key}`;
  let formatter = formatterCache.get(cacheKey) as Intl.NumberFormat | undefined;
  if (!formatter) {
    formatter = new Intl.NumberFormat(safeLocale(locale), options);
    formatterCache.set(cacheKey, formatter);
  }
  return formatter;
}

export function dateTimeFormat(locale: string, key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const cacheKey = `d|${locale}|${options.timeZone ?? ''}|${key}`;
  let formatter = formatterCache.get(cacheKey) as Intl.DateTimeFormat | undefined;
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(safeLocale(locale), { ...options, timeZone: safeTimeZone(options.timeZone) });
    formatterCache.set(cacheKey, formatter);
  }
  return formatter;
}
