/**
 * The console's moment picker speaks wall-clock time in a chosen zone (an
 * `<input type="datetime-local">` has no zone); the preview API takes an
 * instant. These two convert between them through Intl, so daylight saving
 * time is the zone database's, not a fixed offset.
 */

import { wallClockAt, zoneOffsetMs } from '../../format/zone-offset';

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** `2026-11-22T11:00:05` as read in `zone`, for a datetime-local input. */
export function wallTimeIn(moment: Date, zone: string): string {
  const parts = wallClockAt(moment.getTime(), zone);
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)}T${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}`;
}

/**
 * The instant a wall-clock time names in `zone`, or null when the text is
 * not `YYYY-MM-DDTHH:MM[:SS]`. A time skipped by a clock change is read with
 * the offset before it; a repeated one is its first occurrence.
 */
export function instantOf(wallTime: string, zone: string): Date | null {
  const match = WALL_TIME.exec(wallTime.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((field) => Number(field ?? 0)) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  if (Number.isNaN(asUtc) || new Date(asUtc).getUTCDate() !== day) return null;
  // The zone's offset near that time, then once more at the candidate, which settles a change of offset in between.
  let instant = asUtc - zoneOffsetMs(asUtc, zone);
  instant = asUtc - zoneOffsetMs(instant, zone);
  return new Date(instant);
}

const pad = (value: number): string => String(value).padStart(2, '0');
