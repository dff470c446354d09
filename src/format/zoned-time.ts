import { dateTimeFormat } from './intl-cache';

/** `zone` when Intl knows it, else `fallback`: a mistyped zone in a shared URL shows UTC rather than an error page. */
export function validTimeZone(zone: unknown, fallback = 'UTC'): string {
  if (typeof zone !== 'string' || zone === '' || zone.length > 64) return fallback;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return fallback;
  }
}

/** "4 Dec 2026, 18:38:05 CET": a moment as read in `zone`, with the zone's abbreviation (for people: the console, API answers beside an ISO time). */
export function formatInZone(moment: Date | string | number, zone: string): string {
  // One formatter per zone (intl-cache.ts): a timeline formats hundreds of moments, and building a
  // DateTimeFormat costs far more than formatting with one.
  return dateTimeFormat('en-GB', 'zoned-time', { ...ZONED_TIME_OPTIONS, timeZone: zone }).format(new Date(moment));
}

const ZONED_TIME_OPTIONS: Intl.DateTimeFormatOptions = {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
};

