import { z } from 'zod';
import type { ClientClass } from '../open/open';
import { HttpError } from '../http/error-catalogue';

/**
 * Whose open a preview shows (README "Preview"): a campaign, a subscriber, a
 * moment and the client that opens. The API's query and the console's form
 * both end here, so both refuse the same input with the same words.
 */
export interface PreviewTarget {
  campaignId: string;
  subscriberId: string;
  /** The open's `now`: a countdown counts down from it, rules see it. */
  at: Date;
  client: ClientClass;
}

/** The clients a preview can open as, in the order the console offers them (open/client-detection.ts says what each changes). */
export const PREVIEW_CLIENTS = ['amp', 'gmail-proxy', 'apple-prefetch', 'direct', 'yahoo-proxy'] as const satisfies readonly ClientClass[];

/** What each client is, for the console's select and the OpenAPI description. */
export const PREVIEW_CLIENT_LABELS: Record<(typeof PREVIEW_CLIENTS)[number], string> = {
  amp: 'AMP (Gmail, Yahoo, Mail.ru render the AMP part)',
  'gmail-proxy': "Gmail's image proxy (HTML part)",
  'apple-prefetch': 'Apple Mail Privacy Protection prefetch (not a human open)',
  direct: 'Direct (Outlook, Thunderbird, Apple Mail without MPP)',
  'yahoo-proxy': "Yahoo's image proxy (HTML part)",
};

/** ISO 8601 with a zone (Z or ±hh:mm): a moment, not a wall-clock time whose zone is guessed. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Date.parse rolls 2026-02-30 over into March: the calendar fields are checked one by one. */
function existingDateTime(text: string): boolean {
  const [year, month, day, hour, minute, second] = [text.slice(0, 4), text.slice(5, 7), text.slice(8, 10), text.slice(11, 13), text.slice(14, 16), text.slice(17, 19) || '0'].map(Number) as number[];
  const date = new Date(Date.UTC(year as number, (month as number) - 1, day as number));
  return date.getUTCMonth() === (month as number) - 1 && date.getUTCDate() === day && (hour as number) < 24 && (minute as number) < 60 && (second as number) < 60 && !Number.isNaN(Date.parse(text));
}

const ID = z.string().trim().min(1).max(256);

const querySchema = z.object({
  subscriber: ID,
  at: z
    .string()
    .trim()
    .regex(ISO_INSTANT, 'expected an ISO 8601 time with a zone, e.g. 2026-11-22T10:00:00Z or 2026-11-22T11:00:00+01:00')
    .refine(existingDateTime, 'expected a date and time that exist (month 1–12, a day the month has, hours 0–23)')
    .optional(),
  client: z.enum(PREVIEW_CLIENTS).optional(),
});

/**
 * The target of a preview from query parameters `subscriber`, `at` (absent:
 * now) and `client` (absent: amp). Throws HttpError `query_invalid` naming
 * every bad parameter and what was expected.
 */
export function previewTargetFrom(campaignId: string, query: Record<string, unknown>, now: Date): PreviewTarget {
  const single = (name: string): unknown => (Array.isArray(query[name]) ? query[name] : query[name] === '' ? undefined : query[name]);
  const parsed = querySchema.safeParse({ subscriber: single('subscriber'), at: single('at'), client: single('client') });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'query');
      if (name === 'subscriber') return 'subscriber: expected a subscriber id (1 to 256 characters), given once';
      if (name === 'client') return `client: expected one of ${PREVIEW_CLIENTS.join(', ')}`;
      return `${name}: ${issue.message}`;
    });
    throw new HttpError('query_invalid', problems.join('; '));
  }
  const { subscriber, at, client } = parsed.data;
  return { campaignId, subscriberId: subscriber, at: at === undefined ? now : new Date(at), client: client ?? 'amp' };
}

/** The query string that names a target (for image URLs and links): `subscriber=…&at=…&client=…`. */
export function previewQuery(target: PreviewTarget): string {
  return new URLSearchParams({ subscriber: target.subscriberId, at: target.at.toISOString(), client: target.client }).toString();
}
