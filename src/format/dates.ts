import { LRUCache } from 'lru-cache';
import { dateTimeFormat, safeLocale, safeTimeZone } from './intl-cache';

/** Every open of a campaign in one locale and zone shows the same deadline text: format it once. */
const deadlineTexts = new LRUCache<string, string>({ max: 10_000 });

/** A deadline as the subscriber reads it: their weekday, date and clock, with the zone named. */
export function formatDeadline(date: Date, locale: string, timeZone: string): string {
  const key = `${safeLocale(locale)}|${safeTimeZone(timeZone)}|${date.getTime()}`;
  let text = deadlineTexts.get(key);
  if (text === undefined) {
    text = formatDeadlineUncached(date, locale, timeZone);
    deadlineTexts.set(key, text);
  }
  return text;
}

function formatDeadlineUncached(date: Date, locale: string, timeZone: string): string {
  return dateTimeFormat(locale, 'deadline', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(date);
}

export interface LocalClock {
  /** 0–23 in the subscriber's zone. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday, in the subscriber's zone. */
  weekday: number;
  /** YYYY-MM-DD in the subscriber's zone. */
  date: string;
}

const weekdays: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall clock in a zone, for rules such as "evening opens see the late-night offer". */
export function deadlineTextCacheSize(): { size: number; max: number } {
  return { size: deadlineTexts.size, max: deadlineTexts.max };
}

export function localClock(date: Date, timeZone: string): LocalClock {
  const parts = dateTimeFormat('en-US', 'clock', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((part) => part.type === type)?.value ?? '';
  return {
    hour: Number(get('hour')),
    weekday: weekdays[get('weekday')] ?? 0,
    date: `${get('year')}-${get('month')}-${get('day')}`,
  };
}
