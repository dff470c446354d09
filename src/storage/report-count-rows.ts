import type { ReportCounts } from './ports/render-log';

/** What each of a database's three report queries groups by. */
export interface ReportGroupKey {
  block_id: string;
  variant: string | null;
}

export type RenderCountRow = ReportGroupKey & { renders: number; prefetch_renders: number };
export type OpenerCountRow = ReportGroupKey & { human_openers: number };
export type ClickCountRow = ReportGroupKey & { clicks: number; clickers: number };

/**
 * One campaign's report counts from the rows of its three grouped queries
 * (renders, distinct human openers, clicks), merged per block and variant; a
 * group missing from one query counts 0 there (RenderLogStore.campaignReportCounts).
 */
export function mergeReportCountRows(
  renders: readonly RenderCountRow[],
  openers: readonly OpenerCountRow[],
  clicks: readonly ClickCountRow[],
): ReportCounts[] {
  const groups = new Map<string, ReportCounts>();
  const groupOf = (row: ReportGroupKey): ReportCounts => {
    const key = JSON.stringify([row.block_id, row.variant]);
    let counts = groups.get(key);
    if (!counts) {
      counts = { blockId: row.block_id, variant: row.variant, renders: 0, prefetchRenders: 0, humanOpeners: 0, clicks: 0, clickers: 0 };
      groups.set(key, counts);
    }
    return counts;
  };
  for (const row of renders) {
    const counts = groupOf(row);
    counts.renders = row.renders;
    counts.prefetchRenders = row.prefetch_renders;
  }
  for (const row of openers) groupOf(row).humanOpeners = row.human_openers;
  for (const row of clicks) {
    const counts = groupOf(row);
    counts.clicks = row.clicks;
    counts.clickers = row.clickers;
  }
  return [...groups.values()];
}
