import type { PreparedBlock } from '../blocks/prepared-block';
import type { Campaign, Subscriber } from '../data/model';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { SubscriberClaims } from '../tokens/subscriber-token';
import { buildOpen, type ClientClass, type Open, type OpenPlace } from './open';

/**
 * Who an open is for: the token's claims and the records they name, read once
 * per request. The one path from a verified token to an Open, shared by the
 * JSON, image and click surfaces (docs/ARCHITECTURE.md, "One path for an open").
 */
export interface OpenSubject {
  /** Null for a generic open: an image whose token was refused. */
  claims: SubscriberClaims | null;
  subscriber: Subscriber | null;
  campaign: Campaign | null;
}

/** A generic open: no token that verified, nobody's records. */
export const GENERIC_SUBJECT: OpenSubject = Object.freeze({ claims: null, subscriber: null, campaign: null });

/** The subscriber and campaign the claims name, read together; either may be unknown to the store. */
export async function loadSubject(claims: SubscriberClaims, catalogue: CatalogueReader): Promise<OpenSubject> {
  const [campaign, subscriber] = await Promise.all([catalogue.getCampaign(claims.campaignId), catalogue.getSubscriber(claims.subscriberId)]);
  return { claims, subscriber: subscriber ?? null, campaign: campaign ?? null };
}

/**
 * The Open of `subject` at `at` for one block, whose configured locale and zone stand in for an unknown subscriber's.
 * `place`: where the open was read (open/location-at-open.ts); default: the subscriber's profile, no weather.
 */
export function openFor(block: PreparedBlock, subject: OpenSubject, client: ClientClass, at: Date, place?: OpenPlace): Open {
  return buildOpen({
    now: at,
    subscriber: subject.subscriber,
    campaign: subject.campaign,
    client,
    subscriberId: subject.claims?.subscriberId ?? null,
    campaignId: subject.claims?.campaignId ?? null,
    defaultLocale: block.config.defaultLocale,
    defaultTimeZone: block.config.defaultTimeZone,
    place,
  });
}
