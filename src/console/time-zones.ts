import { formatInZone, validTimeZone } from '../format/zoned-time';

export { formatInZone, validTimeZone };

/** Zones offered by the console's zone pickers; any other valid IANA zone typed into a URL works too. */
const COMMON_TIME_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Stockholm',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Africa/Cairo',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Australia/Sydney',
] as const;

/** The zone picker's options, `selected` marked (and added when it is not a common one). */
export function zoneOptions(selected: string): { zone: string; selected: boolean }[] {
  const zones: string[] = [...COMMON_TIME_ZONES];
  if (!zones.includes(selected)) zones.unshift(selected);
  return zones.map((zone) => ({ zone, selected: zone === selected }));
}
