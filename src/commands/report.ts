import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { formatCampaignReport, type CampaignReport } from '../experiments/report';
import { campaignReport } from '../http/reports-router';
import { ATTRIBUTION_MODELS, type AttributionModel } from '../storage/ports/orders';
import { openStorage } from '../storage/open-storage';

export interface ReportCommandOptions {
  campaign: string;
  json?: boolean;
  /** Overrides OPENTIME_ATTRIBUTION_MODEL for this report. */
  model?: AttributionModel;
}

export class ReportCommandError extends Error {
  override name = 'ReportCommandError';
}

/**
 * `opentime report --campaign <id>`: the campaign report from the render log
 * and clicks in the configured database (read-only, so it runs beside a live
 * server). Rows the server still holds in memory, about a second's worth,
 * are not in it yet.
 */
export async function runReport(
  options: ReportCommandOptions,
  io: { env?: NodeJS.ProcessEnv; cwd?: string; stdout?: NodeJS.WritableStream; now?: Date } = {},
): Promise<CampaignReport> {
  const config = loadConfig(io.env ?? process.env, io.cwd ?? process.cwd());
  // With OPENTIME_DATABASE_URL there is no file to look for: opening says what is wrong with the database.
  if (config.databaseUrl === undefined && !fs.existsSync(config.databaseFile)) {
    throw new ReportCommandError(`No database at ${config.databaseFile}. Expected the data directory of a server that has served opens (OPENTIME_DATA_DIR).`);
  }
  const storage = await openStorage(config, { readonly: true });
  try {
    if (options.model !== undefined && !ATTRIBUTION_MODELS.includes(options.model)) {
      throw new ReportCommandError(`--model "${String(options.model)}": expected ${ATTRIBUTION_MODELS.join(' or ')}`);
    }
    const now = io.now ?? new Date();
    const report = await campaignReport(
      { catalogue: storage.catalogue, renderLog: storage.renderLog, orders: storage.orders, conversions: { windowDays: config.attributionWindowDays, model: options.model ?? config.attributionModel }, now: () => now },
      options.campaign,
    );
    const stdout = io.stdout ?? process.stdout;
    stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCampaignReport(report)}\n`);
    return report;
  } finally {
    await storage.close();
  }
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('Per block and variant: renders, unique human opens (prefetches apart), clicks, CTR, lift vs the holdout with a 95% CI; orders, revenue and revenue lift per currency.')
    .requiredOption('--campaign <id>', 'campaign id, as in the tokens')
    .option('--json', 'print the report as JSON (the same document as GET /api/v1/reports/campaigns/:id)')
    .option('--model <model>', 'credit orders to the last click (last_click) or the last human open (last_open); default OPENTIME_ATTRIBUTION_MODEL')
    .action(async (options: ReportCommandOptions) => {
      await runReport(options);
    });
}
