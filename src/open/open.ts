import type { Campaign, Subscriber } from '../data/model';
import { DEFAULT_LOCALE, DEFAULT_TIME_ZONE, safeLocale, safeTimeZone } from '../format/intl-cache';

/** Who and what opened: the AMP viewer's XHR, an image proxy, a prefetch, or a direct fetch. */
export type ClientClass = 'amp' | 'gmail-proxy' | 'yahoo-proxy' | 'apple-prefetch' | 'direct';

/**
 * The context of one render. `subscriber` is null for a generic
 * (non-personalised) render: an unknown subscriber, or an image whose token failed.
 */
export interface Open {
  now: Date;
  subscriber: Subscriber | null;
  campaign: Campaign | null;
  /** Supported by Intl: checked once here so formatting never throws mid-render. */
  locale: string;
  timeZone: string;
  client: ClientClass;
}

export interface OpenInput {
  now: Date;
  subscriber: Subscriber | null | undefined;
  campaign: Campaign | null | undefined;
  client: ClientClass;
  /** Used when there is no subscriber (e.g. a block's configured default). */
  defaultLocale?: string;
  defaultTimeZone?: string;
}

export function buildOpen(input: OpenInput): Open {
  const subscriber = input.subscriber ?? null;
  return {
    now: input.now,
    subscriber,
    campaign: input.campaign ?? null,
    locale: safeLocale(subscriber?.locale ?? input.defaultLocale ?? DEFAULT_LOCALE),
    timeZone: safeTimeZone(subscriber?.timeZone ?? input.defaultTimeZone ?? DEFAULT_TIME_ZONE),
    client: input.client,
  };
}

/** Client classification from request headers; refined by the render-log work (issue 6). */
export function classifyClient(headers: { userAgent?: string | undefined; ampSender?: boolean }): ClientClass {
  if (headers.ampSender) return 'amp';
  const userAgent = headers.userAgent ?? '';
  if (userAgent.includes('GoogleImageProxy')) return 'gmail-proxy';
  if (userAgent.includes('YahooMailProxy')) return 'yahoo-proxy';
  return 'direct';
}
