import { dateTimeFormat } from './intl-cache';

/** A moment's wall-clock fields as read in a zone (Intl, IANA zones). */
export type WallClock = Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;

/** What `timeZone`'s clock shows at `instant` (epoch ms), to the second. */
export function wallClockAt(instant: number, timeZone: string): WallClock {
  const parts = dateTimeFormat('en-US', 'zone-offset', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/**
 * `timeZone`'s offset from UTC at `instant`, in ms: its wall clock read as
 * if it were UTC, minus the instant cut to whole seconds (the clock shows no
 * milliseconds). Daylight saving time is the zone database's, not a fixed offset.
 */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const wall = wallClockAt(instant, timeZone);
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - wholeSeconds;
}
