import type { Request, Response } from 'express';
import { searchSubscribers } from '../../api/subscriber-search';
import { HttpError } from '../../http/error-catalogue';
import { subscriberTimeline, type ClickEvent, type RenderEvent } from '../../recording/subscriber-timeline';
import type { ConsolePage } from '../pages';
import { sendPage } from '../page-render';
import { campaignOptions } from '../campaign-options';

/**
 * /console/timeline?campaign=flash-sale&subscriber=sub-emma — what one
 * subscriber was shown and clicked in one campaign, newest first. Reads what
 * GET /api/v1/campaigns/:campaignId/subscribers/:subscriberId/timeline
 * answers. A subscriber field that names no subscriber lists the matches of
 * GET /api/v1/subscribers?q= to pick from.
 */
export const timelinePage: ConsolePage = {
  id: 'timeline',
  routes(router, context) {
    router.get('/timeline', async (req: Request, res: Response) => {
      const campaigns = await context.storage.campaigns.listCampaigns();
      const campaignId = typeof req.query.campaign === 'string' && req.query.campaign !== '' ? req.query.campaign : (campaigns[0]?.id ?? '');
      const subscriberText = typeof req.query.subscriber === 'string' ? req.query.subscriber.trim() : '';
      const data: Record<string, unknown> = {
        campaigns: campaignOptions(campaigns, campaignId),
        subscriber: subscriberText,
      };
      if (subscriberText !== '') {
        const known = await context.storage.catalogue.getSubscriber(subscriberText);
        if (known) {
          data.timeline = timelineView(await subscriberTimeline(context.storage, campaignId, known.id), known.firstName);
        } else {
          const matches = await searchSubscribers(context.storage.subscriberSearch, subscriberText).catch((error: unknown) => {
            if (error instanceof HttpError) return [];
            throw error;
          });
          data.matches = matches.map((match) => ({ ...match, href: `/console/timeline?campaign=${encodeURIComponent(campaignId)}&subscriber=${encodeURIComponent(match.id)}` }));
          data.noMatch = matches.length === 0;
        }
      }
      sendPage(req, res, { nav: 'timeline', title: 'What was shown', view: 'views/timeline', data });
    });
  },
};

function timelineView(timeline: Awaited<ReturnType<typeof subscriberTimeline>>, firstName: string) {
  return {
    ...timeline,
    firstName,
    empty: timeline.events.length === 0,
    renders: timeline.events.filter((event) => event.type === 'render').length,
    clicks: timeline.events.filter((event) => event.type === 'click').length,
    apiPath: `/api/v1/campaigns/${encodeURIComponent(timeline.campaignId)}/subscribers/${encodeURIComponent(timeline.subscriberId)}/timeline`,
    events: timeline.events.map((event) => (event.type === 'render' ? renderRow(event) : clickRow(event))),
  };
}

const SURFACE = { json: 'AMP JSON', image: 'Image' } as const;
const CLIENT = { amp: 'AMP client', 'gmail-proxy': 'Gmail image proxy', 'yahoo-proxy': 'Yahoo image proxy', 'apple-prefetch': 'Apple prefetch', direct: 'Direct' } as const;

function renderRow(event: RenderEvent) {
  return {
    ...event,
    isRender: true,
    surfaceLabel: SURFACE[event.surface],
    clientLabel: CLIENT[event.client],
    who: event.prefetch ? 'prefetch' : 'human',
    cssClass: event.prefetch ? 'prefetch' : 'render',
    fallback: event.outcome !== 'view' ? event.outcome.replace('_', ' ') : undefined,
  };
}

function clickRow(event: ClickEvent) {
  return { ...event, isClick: true, cssClass: 'click' };
}
