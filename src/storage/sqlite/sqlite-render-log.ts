import type { Database, Statement } from 'better-sqlite3';
import type { ClickRecord, RenderLogStore, RenderRecord, ReportCounts, SubscriberTimelineRows } from '../ports/render-log';
import { mergeReportCountRows, type ClickCountRow, type OpenerCountRow, type RenderCountRow } from '../report-count-rows';


/**
 * The render log and clicks on SQLite (tables `render_log` and `clicks`,
 * migration 5). Inserts bind positionally (no parameter object per row);
 * report queries read one campaign's rows through the campaign_id index, so
 * their cost follows the campaign, not the whole log.
 */
export class SqliteRenderLog implements RenderLogStore {
  private readonly insertRenders: (records: readonly RenderRecord[]) => void;
  private readonly insertClicks: (records: readonly ClickRecord[]) => void;
  private readonly stmtRenderCounts: Statement<[string], RenderCountRow>;
  private readonly stmtOpeners: Statement<{ campaign: string }, OpenerCountRow>;
  private readonly stmtClickCounts: Statement<[string], ClickCountRow>;
  private readonly stmtTimelineRenders: Statement<[string, string, number], TimelineRenderRow>;
  private readonly stmtTimelineClicks: Statement<[string, string, number], ClickRecord>;

  constructor(db: Database) {
    const insertRender: Statement<[number, string, string, string, string, string, number, string | null, string, number, string]> = db.prepare(
      'INSERT INTO render_log (rendered_at, campaign_id, block_id, subscriber_id, surface, client, prefetch, variant, outcome, locked, item_ids) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertClick: Statement<[number, string, string, string, number, string | null, string]> = db.prepare(
      'INSERT INTO clicks (clicked_at, campaign_id, block_id, subscriber_id, slot, variant, url) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertRenders = db.transaction((records: readonly RenderRecord[]) => {
      for (const r of records) {
        insertRender.run(r.renderedAt, r.campaignId, r.blockId, r.subscriberId, r.surface, r.client, r.prefetch ? 1 : 0, r.variant, r.outcome, r.locked ? 1 : 0, JSON.stringify(r.itemIds));
      }
    });
    this.insertClicks = db.transaction((records: readonly ClickRecord[]) => {
      for (const c of records) insertClick.run(c.clickedAt, c.campaignId, c.blockId, c.subscriberId, c.slot, c.variant, c.url);
    });
    this.stmtRenderCounts = db.prepare(
      'SELECT block_id, variant, COUNT(*) AS renders, SUM(prefetch) AS prefetch_renders FROM render_log WHERE campaign_id = ? GROUP BY block_id, variant',
    );
    // UNION de-duplicates (block, variant, subscriber): each human opener counts once, and a
    // click counts as an open (a click is proof of a human open, even behind Apple's prefetch).
    this.stmtOpeners = db.prepare(
      'SELECT block_id, variant, COUNT(*) AS human_openers FROM (' +
        ' SELECT block_id, variant, subscriber_id FROM render_log WHERE campaign_id = @campaign AND prefetch = 0' +
        ' UNION' +
        ' SELECT block_id, variant, subscriber_id FROM clicks WHERE campaign_id = @campaign' +
        ') GROUP BY block_id, variant',
    );
    this.stmtClickCounts = db.prepare(
      'SELECT block_id, variant, COUNT(*) AS clicks, COUNT(DISTINCT subscriber_id) AS clickers FROM clicks WHERE campaign_id = ? GROUP BY block_id, variant',
    );
    // Both read the (campaign, subscriber, time) index backwards; the id breaks ties in append order.
    this.stmtTimelineRenders = db.prepare(
      'SELECT rendered_at AS renderedAt, campaign_id AS campaignId, block_id AS blockId, subscriber_id AS subscriberId, surface, client, prefetch, variant, outcome, locked, item_ids AS itemIds ' +
        'FROM render_log WHERE campaign_id = ? AND subscriber_id = ? ORDER BY rendered_at DESC, id DESC LIMIT ?',
    );
    this.stmtTimelineClicks = db.prepare(
      'SELECT clicked_at AS clickedAt, campaign_id AS campaignId, block_id AS blockId, subscriber_id AS subscriberId, slot, variant, url ' +
        'FROM clicks WHERE campaign_id = ? AND subscriber_id = ? ORDER BY clicked_at DESC, id DESC LIMIT ?',
    );
  }

  async appendRenders(records: readonly RenderRecord[]): Promise<void> {
    if (records.length > 0) this.insertRenders(records);
  }

  async appendClicks(records: readonly ClickRecord[]): Promise<void> {
    if (records.length > 0) this.insertClicks(records);
  }

  async campaignReportCounts(campaignId: string): Promise<ReportCounts[]> {
    return mergeReportCountRows(this.stmtRenderCounts.all(campaignId), this.stmtOpeners.all({ campaign: campaignId }), this.stmtClickCounts.all(campaignId));
  }

  async subscriberTimeline(campaignId: string, subscriberId: string, limit: number): Promise<SubscriberTimelineRows> {
    return {
      renders: this.stmtTimelineRenders.all(campaignId, subscriberId, limit).map((row) => ({
        ...row,
        prefetch: row.prefetch === 1,
        locked: row.locked === 1,
        itemIds: JSON.parse(row.itemIds) as string[],
      })),
      clicks: this.stmtTimelineClicks.all(campaignId, subscriberId, limit),
    };
  }
}

type TimelineRenderRow = Omit<RenderRecord, 'prefetch' | 'locked' | 'itemIds'> & { prefetch: number; locked: number; itemIds: string };
