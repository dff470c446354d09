const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

/** Longer-lived tokens would outlast any campaign and widen the window for a leaked link. */
export const MAX_TTL_SECONDS = 400 * 86_400;

const TTL_PATTERN = /^(\d+)([smhdw]?)$/;

/** Parses `31d`, `12h`, `90m`, `45s`, `2w` or a bare number of seconds. */
export function parseTtl(text: string): number {
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  const match = TTL_PATTERN.exec(text.trim());
  if (!match) {
    throw new Error(`Invalid TTL ${shown}. Expected a number followed by s, m, h, d or w, e.g. 31d.`);
  }
  const amount = Number(match[1]);
  const unit = (match[2] || 's') as keyof typeof UNIT_SECONDS;
  const seconds = amount * UNIT_SECONDS[unit];
  if (seconds <= 0) {
    throw new Error(`Invalid TTL ${shown}. Expected a positive duration, e.g. 31d.`);
  }
  if (seconds > MAX_TTL_SECONDS) {
    throw new Error(`TTL ${shown} is too long. Expected at most 400d (${MAX_TTL_SECONDS} seconds).`);
  }
  return seconds;
}
