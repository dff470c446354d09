import type { Request, Response } from 'express';
import type { VariantReport } from '../../experiments/report';
import { campaignReport } from '../../http/reports-router';
import type { ConsolePage } from '../pages';
import { sendPage } from '../page-render';
import { ctrChart, liftChart, revenueLiftChart } from './report-charts';
import type { ConversionReport } from '../../conversions/conversion-report';
import { campaignOptions } from '../campaign-options';

/**
 * /console/reports?campaign=flash-sale — the campaign report that
 * GET /api/v1/reports/campaigns/:campaignId answers, as tables and as
 * server-drawn charts (CTR with its interval, lift against the holdout).
 */
export const reportsPage: ConsolePage = {
  id: 'reports',
  routes(router, context) {
    router.get('/reports', async (req: Request, res: Response) => {
      const campaigns = await context.storage.campaigns.listCampaigns();
      const campaignId = typeof req.query.campaign === 'string' && req.query.campaign !== '' ? req.query.campaign : (campaigns[0]?.id ?? '');
      const data: Record<string, unknown> = { campaigns: campaignOptions(campaigns, campaignId) };
      if (campaignId !== '') {
        const report = await campaignReport(
          { catalogue: context.storage.catalogue, renderLog: context.storage.renderLog, orders: context.storage.orders, conversions: context.conversions, now: context.now },
          campaignId,
        );
        data.report = {
          campaignId,
          empty: report.blocks.length === 0,
          ctrChart: ctrChart(report),
          liftChart: liftChart(report),
          methods: Object.values(report.methods),
          apiPath: `/api/v1/reports/campaigns/${encodeURIComponent(campaignId)}`,
          blocks: report.blocks.map((block) => ({ blockId: block.blockId, rows: block.variants.map(tableRow) })),
          conversions: report.conversions && conversionTables(report.conversions),
          revenueLiftChart: revenueLiftChart(report),
        };
      }
      sendPage(req, res, { nav: 'reports', title: 'Reports', view: 'views/reports', data });
    });
  },
};

const pct = (value: number, signed = false): string => `${signed && value > 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;

/** The conversions tables: orders per block, arm and currency, and the revenue lift per block and currency. */
function conversionTables(conversions: ConversionReport) {
  return {
    model: conversions.model === 'last_click' ? 'last click' : 'last human open',
    windowDays: conversions.windowDays,
    empty: conversions.rows.length === 0,
    rows: conversions.rows.map((row) => ({
      blockId: row.blockId,
      arm: row.variant ?? 'no experiment',
      currency: row.currency,
      humanOpens: row.humanOpeners,
      orders: row.orders,
      buyers: row.buyers,
      revenue: row.revenue,
      conversionRate: row.conversionRate === null ? '—' : pct(row.conversionRate),
      perOpen: row.revenuePerHumanOpen ?? '—',
    })),
    lift: conversions.lift.map((row) => ({
      blockId: row.blockId,
      currency: row.currency,
      treatment: row.treatmentPerOpen,
      holdout: row.holdoutPerOpen,
      difference: `${row.difference} (${row.differenceLow} – ${row.differenceHigh})`,
      relative: row.relative === null ? 'n/a' : `${pct(row.relative, true)}${row.relativeLow === null || row.relativeHigh === null ? '' : ` (${pct(row.relativeLow, true)} – ${pct(row.relativeHigh, true)})`}`,
    })),
    methods: Object.values(conversions.methods),
  };
}

function tableRow(variant: VariantReport) {
  return {
    arm: variant.variant ?? 'no experiment',
    holdout: variant.variant === 'holdout',
    renders: variant.renders,
    prefetches: variant.prefetchRenders,
    humanOpens: variant.humanOpeners,
    clicks: variant.clicks,
    clickers: variant.clickers,
    ctr: variant.ctr === null ? '—' : pct(variant.ctr),
    ctrInterval: variant.ctrInterval ? `${pct(variant.ctrInterval.low)} – ${pct(variant.ctrInterval.high)}` : '',
    lift: variant.lift ? (variant.lift.value === null ? 'n/a' : pct(variant.lift.value, true)) : '',
    liftInterval: variant.lift ? `${pct(variant.lift.low, true)} – ${pct(variant.lift.high, true)}` : '',
    difference: variant.ctrDifference ? `${(variant.ctrDifference.value * 100).toFixed(1)} pp (${(variant.ctrDifference.low * 100).toFixed(1)} – ${(variant.ctrDifference.high * 100).toFixed(1)})` : '',
  };
}
