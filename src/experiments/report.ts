import type { ReportCounts } from '../storage/ports/render-log';
import { rateDifference, relativeLift, wilsonInterval, type Interval } from './confidence';
import { HOLDOUT } from './experiment-config';
import { formatConversionReport, type ConversionReport } from '../conversions/conversion-report';

export const REPORT_METHODS = {
  opens:
    'Unique human opens: distinct subscribers with a render that was not an Apple Mail Privacy Protection prefetch, or with a click (a click proves a human open).',
  ctr: 'CTR = unique clickers ÷ unique human opens, with a 95% Wilson score interval.',
  lift:
    'Lift = CTR(variant) ÷ CTR(holdout) − 1, with a 95% Katz log interval for the ratio (0.5 added to every cell when a group has no clicks).',
  difference: 'CTR difference (variant − holdout) in percentage points, with a 95% Newcombe hybrid score interval.',
} as const;

export interface VariantReport extends ReportCounts {
  /** Unique clickers ÷ unique human opens; null without human opens. */
  ctr: number | null;
  ctrInterval: Interval | null;
  /** Against the block's holdout; null for the holdout itself, blocks without one, or empty groups. */
  lift: ({ value: number | null } & Interval) | null;
  ctrDifference: ({ value: number } & Interval) | null;
}

export interface BlockReport {
  blockId: string;
  /** No-experiment first, then variants by name, the holdout last. */
  variants: VariantReport[];
}

export interface CampaignReport {
  campaignId: string;
  generatedAt: string;
  confidenceLevel: 0.95;
  methods: typeof REPORT_METHODS;
  blocks: BlockReport[];
  /** Orders, revenue and revenue lift, when the report was asked with the orders store (README "Conversions and revenue"). */
  conversions?: ConversionReport;
}

function variantOrder(a: ReportCounts, b: ReportCounts): number {
  const rank = (counts: ReportCounts): number => (counts.variant === null ? 0 : counts.variant === HOLDOUT ? 2 : 1);
  return rank(a) - rank(b) || (a.variant ?? '').localeCompare(b.variant ?? '');
}

/** Computes rates and lifts from the raw counts (pure; the store supplies the counts). */
export function buildCampaignReport(campaignId: string, counts: readonly ReportCounts[], now: Date): CampaignReport {
  const byBlock = new Map<string, ReportCounts[]>();
  for (const row of counts) {
    const rows = byBlock.get(row.blockId) ?? [];
    rows.push(row);
    byBlock.set(row.blockId, rows);
  }
  const blocks = [...byBlock.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([blockId, rows]) => {
      const holdout = rows.find((row) => row.variant === HOLDOUT);
      const variants = [...rows].sort(variantOrder).map((row): VariantReport => {
        const compare = holdout && row.variant !== HOLDOUT && row.variant !== null;
        return {
          ...row,
          ctr: row.humanOpeners > 0 ? row.clickers / row.humanOpeners : null,
          ctrInterval: row.humanOpeners > 0 ? wilsonInterval(row.clickers, row.humanOpeners) : null,
          lift: compare ? relativeLift(row.clickers, row.humanOpeners, holdout.clickers, holdout.humanOpeners) : null,
          ctrDifference: compare ? rateDifference(row.clickers, row.humanOpeners, holdout.clickers, holdout.humanOpeners) : null,
        };
      });
      return { blockId, variants };
    });
  return { campaignId, generatedAt: now.toISOString(), confidenceLevel: 0.95, methods: REPORT_METHODS, blocks };
}

const percent = (value: number, signed = false): string => `${signed && value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;

/** The report as a plain-text table for the terminal. */
export function formatCampaignReport(report: CampaignReport): string {
  const header = ['block', 'variant', 'renders', 'prefetch', 'human opens', 'clicks', 'clickers', 'CTR', 'lift vs holdout (95% CI)', 'CTR diff (95% CI)'];
  const rows: string[][] = [];
  for (const block of report.blocks) {
    for (const v of block.variants) {
      const isHoldout = v.variant === HOLDOUT;
      rows.push([
        block.blockId,
        v.variant ?? '—',
        String(v.renders),
        String(v.prefetchRenders),
        String(v.humanOpeners),
        String(v.clicks),
        String(v.clickers),
        v.ctr === null ? '—' : percent(v.ctr),
        isHoldout
          ? 'baseline'
          : v.lift
            ? `${v.lift.value === null ? 'n/a' : percent(v.lift.value, true)} (${percent(v.lift.low, true)} to ${percent(v.lift.high, true)})`
            : '—',
        isHoldout ? 'baseline' : v.ctrDifference
          ? `${(v.ctrDifference.value * 100).toFixed(1)} pp (${(v.ctrDifference.low * 100).toFixed(1)} to ${(v.ctrDifference.high * 100).toFixed(1)})`
          : '—',
      ]);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number))).join('  ').trimEnd();
  const body = rows.length ? [line(header), ...rows.map(line)].join('\n') : 'No renders or clicks recorded for this campaign yet.';
  return [
    `Campaign ${report.campaignId}, as of ${report.generatedAt}`,
    '',
    body,
    '',
    ...Object.values(report.methods).map((method) => `* ${method}`),
    ...(report.conversions ? ['', formatConversionReport(report.conversions)] : []),
  ].join('\n');
}
