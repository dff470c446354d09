import type { CampaignReport, VariantReport } from '../../experiments/report';
import { escapeHtml } from '../views';

/**
 * The Reports page's charts, drawn on the server as SVG (no chart library,
 * no script): horizontal bars so labels stay readable on a phone, each with
 * its 95% interval as a whisker. Every figure also has a <title> and <desc>
 * for screen readers, and every number is in the table beside the chart.
 */

/** Narrow on purpose: on a 390 px phone the chart is drawn near 1:1, so its 12 px text stays readable; wider screens scale it up to 520 px. */
const WIDTH = 360;
/** Room for the first and last tick labels, which are centred on the plot's ends. */
const LEFT = 22;
const RIGHT = 22;
const ROW = 42;
const TOP = 6;
const AXIS = 24;

interface ChartRow {
  label: string;
  value: number | null;
  low: number | null;
  high: number | null;
  holdout?: boolean;
  /** Read out in the row's <title>. */
  detail: string;
}

const pct = (value: number, signed = false): string => `${signed && value > 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
/** Axis ticks are round: no decimals unless the step needs them ("25%", "2.5%"). */
const tickLabel = (value: number, signed: boolean): string => {
  const percent = Math.round(value * 1000) / 10;
  return `${signed && percent > 0 ? '+' : ''}${Number.isInteger(percent) ? percent.toFixed(0) : percent.toFixed(1)}%`;
};
const armName = (variant: VariantReport): string => variant.variant ?? 'no experiment';

/** CTR per block and arm: bars from 0, whiskers over the Wilson interval. */
export function ctrChart(report: CampaignReport): string | undefined {
  const rows: ChartRow[] = report.blocks.flatMap((block) =>
    block.variants.map((variant) => ({
      label: `${block.blockId} · ${armName(variant)}`,
      value: variant.ctr,
      low: variant.ctrInterval?.low ?? null,
      high: variant.ctrInterval?.high ?? null,
      holdout: variant.variant === 'holdout',
      detail:
        variant.ctr === null
          ? `${block.blockId}, ${armName(variant)}: no human opens yet`
          : `${block.blockId}, ${armName(variant)}: CTR ${pct(variant.ctr)} (95% interval ${pct(variant.ctrInterval?.low ?? 0)} to ${pct(variant.ctrInterval?.high ?? 0)}), ${variant.clickers} clickers of ${variant.humanOpeners} human opens`,
    })),
  );
  if (rows.length === 0) return undefined;
  const max = niceCeiling(Math.max(0.01, ...rows.map((row) => row.high ?? row.value ?? 0)));
  return barChart({
    id: 'ctr-chart',
    title: `Click-through rate per block and arm, campaign ${report.campaignId}`,
    desc: `Bars show unique clickers divided by unique human opens; whiskers show the 95% Wilson interval. ${rows.map((row) => row.detail).join('. ')}.`,
    rows,
    min: 0,
    max,
  });
}

/** Lift of each arm against its block's holdout, with the 95% interval; none when no block has a holdout with data. */
export function liftChart(report: CampaignReport): string | undefined {
  const rows: ChartRow[] = report.blocks.flatMap((block) =>
    block.variants
      .filter((variant) => variant.lift !== null)
      .map((variant) => {
        const lift = variant.lift as NonNullable<VariantReport['lift']>;
        return {
          label: `${block.blockId} · ${armName(variant)}`,
          value: lift.value,
          low: lift.low,
          high: lift.high,
          detail: `${block.blockId}, ${armName(variant)}: lift ${lift.value === null ? 'undefined (no clicks in the holdout)' : pct(lift.value, true)}, 95% interval ${pct(lift.low, true)} to ${Number.isFinite(lift.high) ? pct(lift.high, true) : 'unbounded'}`,
        };
      }),
  );
  if (rows.length === 0) return undefined;
  const ends = rows.flatMap((row) => [row.low ?? 0, Number.isFinite(row.high ?? 0) ? (row.high ?? 0) : (row.value ?? 0), row.value ?? 0]);
  const min = -niceCeiling(Math.max(0.1, -Math.min(0, ...ends)));
  const max = niceCeiling(Math.max(0.1, ...ends));
  return barChart({
    id: 'lift-chart',
    title: `Lift against the holdout, campaign ${report.campaignId}`,
    desc: `Points show each arm's CTR relative to its block's holdout (0% = no difference); whiskers show the 95% interval. An interval that crosses 0% is not a significant difference. ${rows.map((row) => row.detail).join('. ')}.`,
    rows,
    min,
    max,
    points: true,
  });
}

/** Revenue lift (treatment ÷ holdout − 1, revenue per human open) per block and currency, with its 95% bootstrap interval. */
export function revenueLiftChart(report: CampaignReport): string | undefined {
  const rows: ChartRow[] = (report.conversions?.lift ?? [])
    .filter((row) => row.relative !== null)
    .map((row) => ({
      label: `${row.blockId} · ${row.currency}`,
      value: row.relative,
      low: row.relativeLow,
      high: row.relativeHigh,
      detail: `${row.blockId}, ${row.currency}: revenue per human open ${row.treatmentPerOpen} in the treatment arms against ${row.holdoutPerOpen} in the holdout, lift ${pct(row.relative as number, true)}${
        row.relativeLow !== null && row.relativeHigh !== null ? `, 95% interval ${pct(row.relativeLow, true)} to ${pct(row.relativeHigh, true)}` : ''
      }`,
    }));
  if (rows.length === 0) return undefined;
  const ends = rows.flatMap((row) => [row.low ?? 0, row.high ?? 0, row.value ?? 0]);
  return barChart({
    id: 'revenue-lift-chart',
    title: `Revenue lift against the holdout, campaign ${report.campaignId}`,
    desc: `Points show revenue per human open of the treatment arms relative to the holdout's, per block and currency (0% = no difference); whiskers show the 95% bootstrap interval. ${rows.map((row) => row.detail).join('. ')}.`,
    rows,
    min: -niceCeiling(Math.max(0.1, -Math.min(0, ...ends))),
    max: niceCeiling(Math.max(0.1, ...ends)),
    points: true,
  });
}

function barChart(options: { id: string; title: string; desc: string; rows: ChartRow[]; min: number; max: number; points?: boolean }): string {
  const { id, rows, min, max } = options;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (value: number): number => LEFT + ((Math.min(max, Math.max(min, value)) - min) / (max - min)) * plotWidth;
  const height = TOP + rows.length * ROW + AXIS;
  const ticks = tickValues(min, max);
  const parts: string[] = [];
  for (const tick of ticks) {
    const tx = x(tick).toFixed(1);
    parts.push(`<line class="${tick === 0 && min < 0 ? 'zero' : 'gridline'}" x1="${tx}" x2="${tx}" y1="${TOP}" y2="${TOP + rows.length * ROW}"/>`);
    parts.push(`<text class="muted" x="${tx}" y="${TOP + rows.length * ROW + 16}" text-anchor="middle">${escapeHtml(tickLabel(tick, min < 0))}</text>`);
  }
  rows.forEach((row, index) => {
    const top = TOP + index * ROW;
    const barY = top + 18;
    parts.push(`<g class="row" data-label="${escapeHtml(row.label)}"><title>${escapeHtml(row.detail)}</title>`);
    // The row's name at the left, its value at the right end of the same line: they never overlap the bar or each other.
    parts.push(`<text x="${LEFT}" y="${top + 12}">${escapeHtml(row.label)}</text>`);
    if (row.value !== null) parts.push(`<text class="value" x="${WIDTH - RIGHT}" y="${top + 12}" text-anchor="end">${escapeHtml(pct(row.value, min < 0))}</text>`);
    if (row.value === null && row.low === null) {
      parts.push(`<text class="muted" x="${LEFT}" y="${barY + 11}">no human opens yet</text>`);
    } else {
      const zero = x(Math.max(0, min));
      if (options.points) {
        if (row.value !== null) parts.push(`<circle class="point${row.value < 0 ? ' negative' : ''}" cx="${x(row.value).toFixed(1)}" cy="${barY + 7}" r="5"/>`);
      } else if (row.value !== null) {
        const end = x(row.value);
        parts.push(`<rect class="bar${row.holdout ? ' holdout' : ''}" x="${Math.min(zero, end).toFixed(1)}" y="${barY}" width="${Math.max(1, Math.abs(end - zero)).toFixed(1)}" height="14" rx="2"/>`);
      }
      if (row.low !== null && row.high !== null) {
        const lowX = x(row.low).toFixed(1);
        const highX = x(Number.isFinite(row.high) ? row.high : max).toFixed(1);
        const mid = barY + 7;
        parts.push(`<line class="whisker" x1="${lowX}" x2="${highX}" y1="${mid}" y2="${mid}"/>`);
        parts.push(`<line class="whisker" x1="${lowX}" x2="${lowX}" y1="${mid - 5}" y2="${mid + 5}"/>`);
        if (Number.isFinite(row.high)) parts.push(`<line class="whisker" x1="${highX}" x2="${highX}" y1="${mid - 5}" y2="${mid + 5}"/>`);
      }
    }
    parts.push('</g>');
  });
  parts.push(`<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${TOP + rows.length * ROW}" y2="${TOP + rows.length * ROW}"/>`);
  return (
    `<svg class="chart" id="${id}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${id}-title">${escapeHtml(options.title)}</title><desc id="${id}-desc">${escapeHtml(options.desc)}</desc>${parts.join('')}</svg>`
  );
}

/** The next of 1, 2, 2.5, 5 × 10^k at or above `value`, so the axis ends on a round number. */
function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((candidate) => candidate * magnitude >= value - 1e-12) ?? 10;
  return step * magnitude;
}

/** Four or five round ticks from `min` to `max`, 0 among them. */
function tickValues(min: number, max: number): number[] {
  const span = max - min;
  const step = niceCeiling(span / 4);
  const ticks: number[] = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max + 1e-9; tick += step) ticks.push(Math.abs(tick) < 1e-12 ? 0 : Number(tick.toFixed(10)));
  return ticks;
}
