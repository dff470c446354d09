import type { Subscriber } from '../data/model';
import type { ClientClass } from './open';

/**
 * Where an open was read, as near as we honestly know (README "Location and
 * weather at open"; docs/ARCHITECTURE.md, "Location and weather at open"):
 *
 * - `ip`: the reader's own address, looked up in the offline GeoIP database;
 * - `profile`: the subscriber's record (country, city, zone, and coordinates
 *   when the profile holds them), because the
 *   address says nothing about the reader: a mail proxy fetched the block
 *   (Gmail's and Yahoo's image proxies, Apple's relays, an AMP viewer's XHR,
 *   which the mail provider's servers make), or the address is in no range
 *   the database knows (a private network, loopback, an unknown block);
 * - `none`: neither; every other field is null.
 */
export type LocationSource = 'ip' | 'profile' | 'none';

export interface OpenLocation {
  readonly source: LocationSource;
  /** ISO 3166-1 alpha-2, e.g. "GB". */
  readonly country: string | null;
  /** The first ISO 3166-2 subdivision code without its country, e.g. "ENG", "WA". */
  readonly region: string | null;
  /** The city's English name, e.g. "London". */
  readonly city: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  /** IANA time zone of the place, e.g. "Europe/London". */
  readonly timeZone: string | null;
}

/** Anything that can place an address (location-database.ts reads an MMDB file): an `ip` location, or undefined when not found. */
export interface AddressLocator {
  locate(address: string | undefined): OpenLocation | undefined;
}

export const NO_LOCATION: OpenLocation = Object.freeze({ source: 'none', country: null, region: null, city: null, latitude: null, longitude: null, timeZone: null });

/**
 * The clients whose request address is a mail provider's server, not the
 * reader's (open/client-detection.ts): Gmail and Yahoo fetch images through
 * their proxies, Apple Mail Privacy Protection through Apple's relays, and an
 * AMP viewer's amp-list XHR is made by the provider's servers
 * (https://amp.dev/documentation/guides-and-tutorials/email/learn/cors-in-email).
 */
const PROXIED: ReadonlySet<ClientClass> = new Set<ClientClass>(['amp', 'gmail-proxy', 'yahoo-proxy', 'apple-prefetch']);

function isProxiedClient(client: ClientClass): boolean {
  return PROXIED.has(client);
}

/** Profile locations are built once per subscriber record (records are never changed in place). */
const profileLocations = new WeakMap<Subscriber, OpenLocation>();

/** The subscriber's record as a location: country, city, their zone, and coordinates when the profile holds both. */
export function profileLocation(subscriber: Subscriber | null): OpenLocation {
  if (!subscriber) return NO_LOCATION;
  const placed = typeof subscriber.latitude === 'number' && typeof subscriber.longitude === 'number';
  if (subscriber.country === null && subscriber.city === null && !placed) return NO_LOCATION;
  let location = profileLocations.get(subscriber);
  if (!location) {
    location = Object.freeze({
      source: 'profile',
      country: subscriber.country,
      region: null,
      city: subscriber.city,
      latitude: placed ? (subscriber.latitude as number) : null,
      longitude: placed ? (subscriber.longitude as number) : null,
      timeZone: subscriber.timeZone,
    });
    profileLocations.set(subscriber, location);
  }
  return location;
}

export interface LocationSignals {
  client: ClientClass;
  /** The peer address as the trust-proxy setting resolves it (http/client-address.ts); none: unknown. */
  address: string | undefined;
  subscriber: Subscriber | null;
}

/**
 * The open's location: the address's when the reader fetched the block
 * themselves and the database knows the address, else the profile's, else
 * none. A proxy's address is never looked up: it would place every Gmail
 * reader at Google's data centres.
 */
export function locateOpen(signals: LocationSignals, locator: AddressLocator | undefined): OpenLocation {
  if (locator && !isProxiedClient(signals.client)) {
    const found = locator.locate(signals.address);
    if (found) return found;
  }
  return profileLocation(signals.subscriber);
}
