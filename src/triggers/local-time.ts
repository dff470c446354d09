/**
 * Wall-clock time in a subscriber's IANA zone, for quiet hours and per-day
 * frequency caps (README "Triggered sends"). Intl does the zone arithmetic,
 * daylight saving included; an unknown zone reads as UTC, as opens do
 * (format/intl-cache.ts).
 */

import { wallClockAt } from '../format/zone-offset';

/** Milliseconds since local midnight at `at` in `timeZone`. */
function msSinceLocalMidnight(at: number, timeZone: string): number {
  const { hour, minute, second } = wallClockAt(at, timeZone);
  return ((hour * 60 + minute) * 60 + second) * 1000 + (at % 1000);
}

/** When the subscriber's current calendar day began (epoch ms). */
export function startOfLocalDay(at: number, timeZone: string): number {
  return at - msSinceLocalMidnight(at, timeZone);
}

/** "21:00" → minutes after midnight. */
function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

/**
 * When a send due at `at` may go out: `at` itself outside quiet hours, else
 * the end of the quiet hours in the subscriber's zone. Quiet hours may wrap
 * midnight ("21:00"–"08:00").
 */
export function afterQuietHours(at: number, timeZone: string, quiet: { start: string; end: string }): number {
  const start = minutesOf(quiet.start) * 60_000;
  const end = minutesOf(quiet.end) * 60_000;
  if (start === end) return at;
  const local = msSinceLocalMidnight(at, timeZone);
  const inside = start < end ? local >= start && local < end : local >= start || local < end;
  if (!inside) return at;
  const untilEnd = (end - local + 86_400_000) % 86_400_000;
  return at + untilEnd;
}
