import type { Campaign, Subscriber } from '../data/model';
import { DEFAULT_LOCALE, DEFAULT_TIME_ZONE, safeLocale, safeTimeZone } from '../format/intl-cache';
import type { WeatherReport } from '../sources/weather-source';
import { profileLocation, type OpenLocation } from './location';

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
  /**
   * The subscriber and campaign the token names, even when the store has no
   * record of them: experiment assignment, locks and the render log key on
   * these. Null for a generic render (no valid token).
   */
  subscriberId: string | null;
  campaignId: string | null;
  /** Where it was read (open/location.ts): from the address, the profile, or nowhere. */
  location: OpenLocation;
  /** The weather there, when a provider is configured and answered (sources/weather-source.ts). */
  weather: WeatherReport | null;
}

/** What an open's address and a weather provider told about its place (open/location-at-open.ts). */
export interface OpenPlace {
  location: OpenLocation;
  weather: WeatherReport | null;
}

export interface OpenInput {
  now: Date;
  subscriber: Subscriber | null | undefined;
  campaign: Campaign | null | undefined;
  client: ClientClass;
  /** From the token; default: the id of `subscriber` / `campaign`. */
  subscriberId?: string | null;
  campaignId?: string | null;
  /** Used when there is no subscriber (e.g. a block's configured default). */
  defaultLocale?: string;
  defaultTimeZone?: string;
  /** Default: the subscriber's profile location (a surface without the reader's address), no weather. */
  place?: OpenPlace;
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
    subscriberId: input.subscriberId ?? subscriber?.id ?? null,
    campaignId: input.campaignId ?? input.campaign?.id ?? null,
    location: input.place?.location ?? profileLocation(subscriber),
    weather: input.place?.weather ?? null,
  };
}
