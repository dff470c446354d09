import { Router, type Request, type Response } from 'express';
import type { ApiKeyring } from '../api/api-keys';
import { buildCampaignReport, type CampaignReport } from '../experiments/report';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { RenderLogStore } from '../storage/ports/render-log';
import type { OrderStore } from '../storage/ports/orders';
import { buildConversionReport } from '../conversions/conversion-report';
import type { ConversionSettings } from '../conversions/conversion-settings';
import { requireAnyScope, requireApiKey } from './api-auth';
import { HttpError } from './error-catalogue';
import { sendJson } from './send-json';
import { cacheControl } from './cache-policy';

export interface ReportsRouterDeps extends CampaignReportDeps {
  apiKeys: ApiKeyring;
}

export interface CampaignReportDeps {
  catalogue: Pick<CatalogueReader, 'getCampaign'>;
  renderLog: Pick<RenderLogStore, 'campaignReportCounts'>;
  /** With both, the report adds orders, revenue and revenue lift (README "Conversions and revenue"). */
  orders?: Pick<OrderStore, 'campaignOrderRows'>;
  conversions?: Pick<ConversionSettings, 'windowDays' | 'model'>;
  now: () => Date;
}

const CAMPAIGN_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * GET /api/v1/reports/campaigns/:campaignId — the campaign report as JSON
 * (experiments/report.ts: CampaignReport): per block and experiment variant,
 * renders, prefetches, unique human opens, clicks, CTR with its interval, and
 * the lift against the holdout with a 95% confidence interval; then orders,
 * revenue and revenue lift per currency (conversions/conversion-report.ts). Needs an API
 * key with the `reports:read` (or `console`) scope. Rows still waiting in the write-behind
 * queues (at most about a second's worth) are not in it yet.
 */
export function reportsRouter(deps: ReportsRouterDeps): Router {
  const router = Router();
  router.get(
    '/api/v1/reports/campaigns/:campaignId',
    requireApiKey(deps.apiKeys),
    requireAnyScope('reports:read', 'console'),
    async (req: Request, res: Response) => {
      const report = await campaignReport(deps, String(req.params.campaignId));
      res.set('Cache-Control', cacheControl('private'));
      sendJson(res, 200, report);
    },
  );
  return router;
}

/** The campaign report, as the endpoint answers it and the console's Reports page draws it. */
export async function campaignReport(deps: CampaignReportDeps, campaignId: string): Promise<CampaignReport> {
  if (!CAMPAIGN_ID.test(campaignId)) throw new HttpError('bad_request', 'Expected a campaign id of 1–128 letters, digits, ".", "_" or "-".');
  const [campaign, counts] = await Promise.all([deps.catalogue.getCampaign(campaignId), deps.renderLog.campaignReportCounts(campaignId)]);
  if (!campaign && counts.length === 0) {
    throw new HttpError('campaign_not_found', `No campaign "${campaignId}" in the store and nothing recorded for it.`);
  }
  const report = buildCampaignReport(campaignId, counts, deps.now());
  if (!deps.orders || !deps.conversions) return report;
  const { model, windowDays } = deps.conversions;
  // The lift always credits by open; under that model the credited rows are the same rows, read once.
  const byOpenRows = deps.orders.campaignOrderRows(campaignId, 'last_open');
  const [credited, byOpen] = await Promise.all([model === 'last_open' ? byOpenRows : deps.orders.campaignOrderRows(campaignId, model), byOpenRows]);
  return { ...report, conversions: buildConversionReport({ counts, credited, byOpen, model, windowDays }) };
}
