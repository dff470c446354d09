import type { ClientClass } from '../open/open';
import { formatInZone, validTimeZone } from '../format/zoned-time';
import { HttpError } from '../http/error-catalogue';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { RenderLogStore, RenderOutcome, RenderSurface } from '../storage/ports/render-log';

/** Most renders and most clicks a timeline answers (each); older ones are left out and `truncated` says so. */
export const TIMELINE_LIMIT = 200;

interface TimelineEventBase {
  /** ISO 8601, UTC. */
  at: string;
  /** The same moment in the subscriber's time zone, for people: "22 Nov 2026, 11:00:00 CET". */
  localTime: string;
  blockId: string;
  /** The experiment arm ("holdout" included), or null when the block runs no experiment. */
  variant: string | null;
}

export interface RenderEvent extends TimelineEventBase {
  type: 'render';
  surface: RenderSurface;
  client: ClientClass;
  /** A machine fetch ahead of reading (Apple Mail Privacy Protection): not a human open. */
  prefetch: boolean;
  outcome: RenderOutcome;
  /** Served from (or froze) a lock-at-first-open view; false: live. */
  locked: boolean;
  /** Slot → the item shown there (product ids); empty for kinds without items and for fallbacks. */
  slots: { slot: number; itemId: string }[];
}

export interface ClickEvent extends TimelineEventBase {
  type: 'click';
  slot: number;
  url: string;
}

export interface SubscriberTimeline {
  campaignId: string;
  subscriberId: string;
  /** The zone `localTime` is in: the subscriber's, or UTC when the subscriber is no longer stored. */
  timeZone: string;
  /** Renders and clicks together, newest first. */
  events: (RenderEvent | ClickEvent)[];
  /** True when older renders or clicks were left out (more than TIMELINE_LIMIT of either). */
  truncated: boolean;
}

const CAMPAIGN_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * GET /api/v1/campaigns/:campaignId/subscribers/:subscriberId/timeline and
 * the console's Timeline page: what one subscriber was shown and clicked in
 * one campaign, from the render log (README "Console"). Rows still in the
 * write-behind queues (about a second's worth) are not in it yet.
 */
export async function subscriberTimeline(
  deps: { catalogue: Pick<CatalogueReader, 'getCampaign' | 'getSubscriber'>; renderLog: Pick<RenderLogStore, 'subscriberTimeline'> },
  campaignId: string,
  subscriberId: string,
): Promise<SubscriberTimeline> {
  if (!CAMPAIGN_ID.test(campaignId)) throw new HttpError('bad_request', 'Expected a campaign id of 1–128 letters, digits, ".", "_" or "-".');
  if (subscriberId.trim() === '' || subscriberId.length > 128) throw new HttpError('bad_request', 'Expected a subscriber id of 1–128 characters.');
  const [campaign, subscriber, rows] = await Promise.all([
    deps.catalogue.getCampaign(campaignId),
    deps.catalogue.getSubscriber(subscriberId),
    deps.renderLog.subscriberTimeline(campaignId, subscriberId, TIMELINE_LIMIT),
  ]);
  const nothing = rows.renders.length === 0 && rows.clicks.length === 0;
  if (!campaign && nothing) throw new HttpError('campaign_not_found', `No campaign "${campaignId}" in the store and nothing recorded for it.`);
  if (!subscriber && nothing) throw new HttpError('subscriber_not_found', `No subscriber "${subscriberId}" in the store and nothing recorded for them.`);
  const timeZone = validTimeZone(subscriber?.timeZone);
  const when = (epochMs: number) => ({ at: new Date(epochMs).toISOString(), localTime: formatInZone(epochMs, timeZone) });
  const renders: RenderEvent[] = rows.renders.map((row) => ({
    type: 'render',
    ...when(row.renderedAt),
    blockId: row.blockId,
    variant: row.variant,
    surface: row.surface,
    client: row.client,
    prefetch: row.prefetch,
    outcome: row.outcome,
    locked: row.locked,
    slots: row.itemIds.map((itemId, slot) => ({ slot, itemId })),
  }));
  const clicks: ClickEvent[] = rows.clicks.map((row) => ({ type: 'click', ...when(row.clickedAt), blockId: row.blockId, variant: row.variant, slot: row.slot, url: row.url }));
  // Both lists are newest first; a click and a render in the same millisecond: the click after (above) the render it follows.
  const events = [...renders, ...clicks].sort((a, b) => b.at.localeCompare(a.at) || (a.type === 'click' ? -1 : 0) - (b.type === 'click' ? -1 : 0));
  return { campaignId, subscriberId, timeZone, events, truncated: rows.renders.length === TIMELINE_LIMIT || rows.clicks.length === TIMELINE_LIMIT };
}
