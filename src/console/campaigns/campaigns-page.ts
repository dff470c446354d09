import type { Request, Response } from 'express';
import type { Campaign } from '../../data/model';
import type { ConsolePage } from '../pages';
import { sendPage } from '../page-render';
import { formatInZone, validTimeZone, zoneOptions } from '../time-zones';

/**
 * /console/campaigns?zone=Europe/Berlin — every campaign with its deadline
 * (in the chosen zone), senders, templates and markets. Reads what
 * GET /api/v1/campaigns answers (the Campaigns port's listCampaigns).
 */
export const campaignsPage: ConsolePage = {
  id: 'campaigns',
  routes(router, context) {
    router.get('/campaigns', async (req: Request, res: Response) => {
      const zone = validTimeZone(req.query.zone, context.settings.timeZone);
      const campaigns = await context.storage.campaigns.listCampaigns();
      const now = context.now();
      sendPage(req, res, {
        nav: 'campaigns',
        title: 'Campaigns',
        view: 'views/campaigns',
        data: { zones: zoneOptions(zone), zone, campaigns: campaigns.map((campaign) => campaignRow(campaign, zone, now)), none: campaigns.length === 0 },
      });
    });
  },
};

function campaignRow(campaign: Campaign, zone: string, now: Date) {
  const ended = campaign.endsAt !== null && Date.parse(campaign.endsAt) <= now.getTime();
  return {
    ...campaign,
    deadline: campaign.endsAt ? formatInZone(campaign.endsAt, zone) : undefined,
    ended,
    senders: campaign.allowedSenders,
    everyMarket: campaign.markets.length === 0,
    // Seeded demo campaigns carry the epoch as their source time (older than any real write): no date to show.
    updated: Date.parse(campaign.updatedAt) > 0 ? formatInZone(campaign.updatedAt, zone) : '—',
    links: {
      preview: `/console/preview?campaign=${encodeURIComponent(campaign.id)}`,
      report: `/console/reports?campaign=${encodeURIComponent(campaign.id)}`,
      sendTest: `/console/send-test?campaign=${encodeURIComponent(campaign.id)}`,
    },
  };
}
