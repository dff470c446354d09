import { HOLDOUT } from '../experiments/experiment-config';
import type { AttributionModel, CampaignOrderRow } from '../storage/ports/orders';
import type { ReportCounts } from '../storage/ports/render-log';
import { formatMinor, formatMinorFraction } from './money';
import { revenueLift, BOOTSTRAP_RESAMPLES } from './revenue-lift';
import { seededRandom } from './seeded-random';

/** The bootstrap's seed when none is given: a report is the same every time it is asked for the same data. */
export const DEFAULT_BOOTSTRAP_SEED = 1;

export const CONVERSION_METHODS = {
  attribution:
    'An order is credited to the block and arm of the subscriber\'s last click (last_click) or last human open (last_open) of any campaign within the window before it was placed, found when the order arrived.',
  rates: 'Conversion rate = buyers ÷ unique human opens of the block and arm; revenue per human open = revenue ÷ unique human opens. Each currency apart.',
  lift:
    `Revenue lift: revenue per human open of the treatment arms together against the holdout, orders credited by last human open (the holdout is seen, rarely clicked), with a 95% percentile bootstrap interval (${BOOTSTRAP_RESAMPLES} resamples of each group's openers, seeded).`,
} as const;

export interface ConversionRow {
  blockId: string;
  variant: string | null;
  currency: string;
  humanOpeners: number;
  orders: number;
  /** Distinct subscribers with a credited order. */
  buyers: number;
  /** Decimal string in the currency, e.g. "1234.50"; amounts of different currencies are never added. */
  revenue: string;
  conversionRate: number | null;
  revenuePerHumanOpen: string | null;
}

export interface LiftRow {
  blockId: string;
  currency: string;
  treatmentOpeners: number;
  holdoutOpeners: number;
  /** Per human open, decimal strings in the currency (two more decimals than it has). */
  treatmentPerOpen: string;
  holdoutPerOpen: string;
  difference: string;
  differenceLow: string;
  differenceHigh: string;
  /** treatment ÷ holdout − 1 and its interval; null when the holdout spent nothing. */
  relative: number | null;
  relativeLow: number | null;
  relativeHigh: number | null;
}

export interface ConversionReport {
  model: AttributionModel;
  windowDays: number;
  seed: number;
  methods: typeof CONVERSION_METHODS;
  rows: ConversionRow[];
  lift: LiftRow[];
}

export interface ConversionReportInput {
  counts: readonly ReportCounts[];
  /** Orders credited under the report's model. */
  credited: readonly CampaignOrderRow[];
  /** Orders credited by last human open (the lift's). */
  byOpen: readonly CampaignOrderRow[];
  model: AttributionModel;
  windowDays: number;
  seed?: number;
}

const variantRank = (variant: string | null): number => (variant === null ? 0 : variant === HOLDOUT ? 2 : 1);
const key = (...parts: (string | null)[]): string => JSON.stringify(parts);

/** Orders, buyers, revenue and rates per block, arm and currency, and the revenue lift against each block's holdout (pure). */
export function buildConversionReport(input: ConversionReportInput): ConversionReport {
  const openers = new Map(input.counts.map((row) => [key(row.blockId, row.variant), row.humanOpeners]));
  const groups = new Map<string, ConversionRow & { revenueMinor: number }>();
  for (const row of input.credited) {
    const id = key(row.blockId, row.variant, row.currency);
    const group = groups.get(id) ?? {
      blockId: row.blockId, variant: row.variant, currency: row.currency, humanOpeners: openers.get(key(row.blockId, row.variant)) ?? 0,
      orders: 0, buyers: 0, revenue: '', conversionRate: null, revenuePerHumanOpen: null, revenueMinor: 0,
    };
    group.orders += row.orders;
    group.buyers += 1;
    group.revenueMinor += row.revenueMinor;
    groups.set(id, group);
  }
  const rows = [...groups.values()]
    .map(({ revenueMinor, ...row }): ConversionRow => ({
      ...row,
      revenue: formatMinor(revenueMinor, row.currency),
      conversionRate: row.humanOpeners > 0 ? Math.min(1, row.buyers / row.humanOpeners) : null,
      revenuePerHumanOpen: row.humanOpeners > 0 ? formatMinorFraction(revenueMinor / row.humanOpeners, row.currency) : null,
    }))
    .sort((a, b) => a.blockId.localeCompare(b.blockId) || variantRank(a.variant) - variantRank(b.variant) || (a.variant ?? '').localeCompare(b.variant ?? '') || a.currency.localeCompare(b.currency));
  const seed = input.seed ?? DEFAULT_BOOTSTRAP_SEED;
  return { model: input.model, windowDays: input.windowDays, seed, methods: CONVERSION_METHODS, rows, lift: liftRows(input.counts, input.byOpen, seed) };
}

function liftRows(counts: readonly ReportCounts[], byOpen: readonly CampaignOrderRow[], seed: number): LiftRow[] {
  const random = seededRandom(seed);
  const lift: LiftRow[] = [];
  const blocks = [...new Set(counts.filter((row) => row.variant === HOLDOUT).map((row) => row.blockId))].sort();
  for (const blockId of blocks) {
    const arms = counts.filter((row) => row.blockId === blockId && row.variant !== null);
    const holdoutOpeners = arms.filter((row) => row.variant === HOLDOUT).reduce((sum, row) => sum + row.humanOpeners, 0);
    const treatmentOpeners = arms.filter((row) => row.variant !== HOLDOUT).reduce((sum, row) => sum + row.humanOpeners, 0);
    const orders = byOpen.filter((row) => row.blockId === blockId && row.variant !== null);
    for (const currency of [...new Set(orders.map((row) => row.currency))].sort()) {
      const spent = (holdout: boolean): number[] =>
        orders.filter((row) => row.currency === currency && (row.variant === HOLDOUT) === holdout).map((row) => row.revenueMinor);
      const result = revenueLift({ openers: treatmentOpeners, buyerRevenue: spent(false) }, { openers: holdoutOpeners, buyerRevenue: spent(true) }, random);
      if (!result) continue;
      const money = (minor: number): string => formatMinorFraction(minor, currency);
      lift.push({
        blockId,
        currency,
        treatmentOpeners,
        holdoutOpeners,
        treatmentPerOpen: money(result.treatmentPerOpener),
        holdoutPerOpen: money(result.holdoutPerOpener),
        difference: money(result.difference),
        differenceLow: money(result.differenceInterval.low),
        differenceHigh: money(result.differenceInterval.high),
        relative: result.relative,
        relativeLow: result.relativeInterval?.low ?? null,
        relativeHigh: result.relativeInterval?.high ?? null,
      });
    }
  }
  return lift;
}

const percent = (value: number): string => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;

/** The conversions part of `opentime report`, as plain-text tables. */
export function formatConversionReport(report: ConversionReport): string {
  const table = (header: string[], rows: string[][]): string => {
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
    const line = (cells: string[]): string => cells.map((cell, column) => (column < 3 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number))).join('  ').trimEnd();
    return [line(header), ...rows.map(line)].join('\n');
  };
  const orders = report.rows.length
    ? table(
        ['block', 'variant', 'currency', 'human opens', 'orders', 'buyers', 'revenue', 'conv. rate', 'revenue / open'],
        report.rows.map((row) => [row.blockId, row.variant ?? '—', row.currency, String(row.humanOpeners), String(row.orders), String(row.buyers), row.revenue,
          row.conversionRate === null ? '—' : `${(row.conversionRate * 100).toFixed(1)}%`, row.revenuePerHumanOpen ?? '—']),
      )
    : 'No orders credited to this campaign yet.';
  const lift = report.lift.length
    ? table(
        ['block', 'currency', 'per open (treatment)', 'per open (holdout)', 'difference (95% CI)', 'relative (95% CI)'],
        report.lift.map((row) => [row.blockId, row.currency, row.treatmentPerOpen, row.holdoutPerOpen, `${row.difference} (${row.differenceLow} to ${row.differenceHigh})`,
          row.relative === null ? 'n/a' : `${percent(row.relative)}${row.relativeLow === null || row.relativeHigh === null ? '' : ` (${percent(row.relativeLow)} to ${percent(row.relativeHigh)})`}`]),
      )
    : 'No revenue lift: no block with a holdout has orders credited by open yet.';
  return [`Conversions (${report.model}, ${report.windowDays}-day window)`, '', orders, '', 'Revenue lift vs holdout', '', lift, '', ...Object.values(report.methods).map((method) => `* ${method}`)].join('\n');
}
