import type { Pool } from 'pg';
import type { ClickRecord, RenderLogStore, RenderRecord, ReportCounts, SubscriberTimelineRows } from '../ports/render-log';
import { mergeReportCountRows, type ClickCountRow, type OpenerCountRow, type RenderCountRow } from '../report-count-rows';


const SQL = {
  // A whole batch is ONE statement: each column travels as one array and unnest lays them side by
  // side as rows (PostgreSQL manual, "Array Functions and Operators"), in the order given, so ids
  // are handed out in the order the rows were appended.
  appendRenders:
    'INSERT INTO render_log (rendered_at, campaign_id, block_id, subscriber_id, surface, client, prefetch, variant, outcome, locked, item_ids) ' +
    'SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::text[], $10::boolean[], $11::jsonb[])',
  appendClicks:
    'INSERT INTO clicks (clicked_at, campaign_id, block_id, subscriber_id, slot, variant, url) ' +
    'SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::text[])',
  renderCounts:
    'SELECT block_id, variant, COUNT(*) AS renders, COUNT(*) FILTER (WHERE prefetch) AS prefetch_renders ' +
    'FROM render_log WHERE campaign_id = $1 GROUP BY block_id, variant',
  // UNION de-duplicates (block, variant, subscriber), NULL variants included: each human opener
  // counts once, and a click counts as an open (a click is proof of a human open, even behind
  // Apple's prefetch).
  openers:
    'SELECT block_id, variant, COUNT(*) AS human_openers FROM (' +
    ' SELECT block_id, variant, subscriber_id FROM render_log WHERE campaign_id = $1 AND NOT prefetch' +
    ' UNION' +
    ' SELECT block_id, variant, subscriber_id FROM clicks WHERE campaign_id = $1' +
    ') AS openers GROUP BY block_id, variant',
  clickCounts:
    'SELECT block_id, variant, COUNT(*) AS clicks, COUNT(DISTINCT subscriber_id) AS clickers FROM clicks WHERE campaign_id = $1 GROUP BY block_id, variant',
  // Both read the (campaign, subscriber, time) index backwards; the id breaks ties in append order.
  timelineRenders:
    'SELECT rendered_at AS "renderedAt", campaign_id AS "campaignId", block_id AS "blockId", subscriber_id AS "subscriberId", surface, client, prefetch, variant, outcome, locked, item_ids AS "itemIds" ' +
    'FROM render_log WHERE campaign_id = $1 AND subscriber_id = $2 ORDER BY rendered_at DESC, id DESC LIMIT $3',
  timelineClicks:
    'SELECT clicked_at AS "clickedAt", campaign_id AS "campaignId", block_id AS "blockId", subscriber_id AS "subscriberId", slot, variant, url ' +
    'FROM clicks WHERE campaign_id = $1 AND subscriber_id = $2 ORDER BY clicked_at DESC, id DESC LIMIT $3',
} as const;

/**
 * The render log and clicks on PostgreSQL (tables `render_log` and
 * `clicks`). An append is one multi-row statement on the pool, so all or
 * nothing; reports read one campaign's rows through the campaign_id index,
 * so their cost follows the campaign, not the whole log.
 */
export class PostgresRenderLog implements RenderLogStore {
  constructor(private readonly pool: Pool) {}

  async appendRenders(records: readonly RenderRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.pool.query({
      text: SQL.appendRenders,
      values: [
        records.map((r) => r.renderedAt),
        records.map((r) => r.campaignId),
        records.map((r) => r.blockId),
        records.map((r) => r.subscriberId),
        records.map((r) => r.surface),
        records.map((r) => r.client),
        records.map((r) => r.prefetch),
        records.map((r) => r.variant),
        records.map((r) => r.outcome),
        records.map((r) => r.locked),
        records.map((r) => JSON.stringify(r.itemIds)),
      ],
    });
  }

  async appendClicks(records: readonly ClickRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.pool.query({
      text: SQL.appendClicks,
      values: [
        records.map((c) => c.clickedAt),
        records.map((c) => c.campaignId),
        records.map((c) => c.blockId),
        records.map((c) => c.subscriberId),
        records.map((c) => c.slot),
        records.map((c) => c.variant),
        records.map((c) => c.url),
      ],
    });
  }

  async campaignReportCounts(campaignId: string): Promise<ReportCounts[]> {
    const [renders, openers, clicks] = await Promise.all([
      this.pool.query<RenderCountRow>({ text: SQL.renderCounts, values: [campaignId] }),
      this.pool.query<OpenerCountRow>({ text: SQL.openers, values: [campaignId] }),
      this.pool.query<ClickCountRow>({ text: SQL.clickCounts, values: [campaignId] }),
    ]);
    return mergeReportCountRows(renders.rows, openers.rows, clicks.rows);
  }

  async subscriberTimeline(campaignId: string, subscriberId: string, limit: number): Promise<SubscriberTimelineRows> {
    const values = [campaignId, subscriberId, limit];
    const [renders, clicks] = await Promise.all([
      this.pool.query<Omit<RenderRecord, 'renderedAt'> & { renderedAt: string }>({ text: SQL.timelineRenders, values }),
      this.pool.query<Omit<ClickRecord, 'clickedAt'> & { clickedAt: string }>({ text: SQL.timelineClicks, values }),
    ]);
    // bigint columns arrive as text (node-postgres keeps 64-bit integers exact); epoch milliseconds fit a number.
    return {
      renders: renders.rows.map((row) => ({ ...row, renderedAt: Number(row.renderedAt) })),
      clicks: clicks.rows.map((row) => ({ ...row, clickedAt: Number(row.clickedAt) })),
    };
  }
}
