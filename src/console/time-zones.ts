/** Zones offered by the console's zone pickers; any other valid IANA zone typed into a URL works too. */
export const COMMON_TIME_ZONES = [
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

/** "4 Dec 2026, 18:38 CET": a moment as read in `zone`, with the zone's abbreviation. */
export function formatInZone(moment: Date | string | number, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  }).format(new Date(moment));
}

/** The zone picker's options, `selected` marked (and added when it is not a common one). */
export function zoneOptions(selected: string): { zone: string; selected: boolean }[] {
  const zones: string[] = [...COMMON_TIME_ZONES];
  if (!zones.includes(selected)) zones.unshift(selected);
  return zones.map((zone) => ({ zone, selected: zone === selected }));
}
