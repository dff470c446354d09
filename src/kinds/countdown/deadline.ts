import { z } from 'zod';
import { SUBSCRIBER_DATE_NAME } from '../../data/model';
import { zoneOffsetMs } from '../../format/zone-offset';
import { HoldBack } from '../hold-back';
import type { ResolveContext } from '../kind';

/**
 * EVERGREEN DEADLINES — a countdown whose deadline belongs to the subscriber
 * (README "Blocks", countdown `deadline:`):
 *
 * - `afterFirstOpen: "2d 12h"`: counted from the subscriber's first human open
 *   of the campaign (recording/first-opens.ts, decided by the database), so
 *   every later open, on any client, JSON or image, counts to the same moment.
 *   Until there is one (an Apple prefetch, a generic open, a preview) the
 *   countdown shows the whole duration from now, and records nothing.
 *   Days are calendar days in the subscriber's IANA zone (the same wall-clock
 *   time N days later, whatever daylight-saving change lies between); hours,
 *   minutes and seconds are elapsed time.
 * - `profileDate: "couponExpiresAt"`: a named date of the subscriber's profile
 *   (`dates` of POST /api/v1/subscribers). A subscriber without it, or a
 *   generic open, gets the block's fallback.
 */

const DURATION = /^(?:(\d{1,4})d)?\s*(?:(\d{1,5})h)?\s*(?:(\d{1,6})m)?\s*(?:(\d{1,7})s)?$/;

/** A duration as a block writes it: days, hours, minutes, seconds, each optional, in that order. */
export interface Duration {
  days: number;
  /** Hours, minutes and seconds together, in milliseconds of elapsed time. */
  elapsedMs: number;
}

/** "48h", "2d", "1d 12h", "90m" → a Duration; undefined when the text is none, or is zero. */
export function parseDuration(text: string): Duration | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number];
  const duration = { days, elapsedMs: ((hours * 60 + minutes) * 60 + seconds) * 1000 };
  return duration.days > 0 || duration.elapsedMs > 0 ? duration : undefined;
}

export const deadlineOptionSchema = z
  .strictObject({
    afterFirstOpen: z
      .string()
      .refine((text) => parseDuration(text) !== undefined, { message: 'expected a duration such as "48h", "7d" or "1d 12h" (days, hours, minutes, seconds: d h m s, in that order, not zero)' })
      .optional(),
    profileDate: z.string().regex(SUBSCRIBER_DATE_NAME, { message: 'expected the name of a date of the subscriber profile, e.g. couponExpiresAt' }).optional(),
  })
  .refine((option) => (option.afterFirstOpen === undefined) !== (option.profileDate === undefined), {
    message: 'expected exactly one of afterFirstOpen (a duration such as "48h") or profileDate (a date name such as couponExpiresAt)',
  });
export type DeadlineOption = z.infer<typeof deadlineOptionSchema>;

/** The moment a subscriber's own countdown ends at an open. Throws HoldBack when the profile has no such date. */
export type EvergreenDeadline = (context: ResolveContext) => Promise<Date>;

/** Prepared once when the blocks config loads: the duration is parsed here, not at every open (or GIF frame). */
export function prepareEvergreenDeadline(option: DeadlineOption): EvergreenDeadline {
  const { profileDate } = option;
  if (profileDate !== undefined) {
    return async ({ open }) => {
      const value = open.subscriber?.dates?.[profileDate];
      // The subscriber has no such date (no coupon): the block's fallback, expected, so no log line per open.
      if (value === undefined) throw new HoldBack(`no deadline: the subscriber profile has no date "${profileDate}"`, { expected: true });
      return new Date(value);
    };
  }
  // The schema accepted only a parseable, non-zero duration here.
  const duration = parseDuration(option.afterFirstOpen ?? '') as Duration;
  return async (context) => {
    const { open } = context;
    const started = (await context.firstHumanOpen?.()) ?? open.now;
    return new Date(addCalendarDays(started.getTime(), duration.days, open.timeZone) + duration.elapsedMs);
  };
}

/** The same wall-clock time `days` calendar days later in `timeZone` (epoch ms); a time a spring-forward skips moves on by the gap. */
export function addCalendarDays(instant: number, days: number, timeZone: string): number {
  if (days === 0) return instant;
  const wall = instant + zoneOffsetMs(instant, timeZone) + days * 86_400_000;
  return instantOfWallTime(wall, timeZone);
}

/**
 * The instant a wall-clock time (given as if it were UTC) has in `timeZone`.
 * Twice around a daylight-saving change: the earlier; skipped by one: moved
 * on by the gap (03:30 CEST for 02:30 on the last Sunday of March in Berlin).
 */
function instantOfWallTime(wall: number, timeZone: string): number {
  const first = wall - zoneOffsetMs(wall, timeZone);
  const firstOffset = zoneOffsetMs(first, timeZone);
  if (wall - firstOffset === first) {
    // Also valid an offset earlier (a fall-back repeats the hour)? Then that one came first.
    const earlierOffset = zoneOffsetMs(first - 3 * 3_600_000, timeZone);
    const earlier = wall - earlierOffset;
    return earlier < first && zoneOffsetMs(earlier, timeZone) === earlierOffset ? earlier : first;
  }
  const second = wall - firstOffset;
  if (zoneOffsetMs(second, timeZone) === firstOffset) return second;
  // In a gap: neither offset gives this wall time; the later candidate is the time moved on by the gap.
  return Math.max(first, second);
}
