import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { buildCampaignReport, formatCampaignReport, type CampaignReport } from '../experiments/report';
import { openStorage } from '../storage/open-storage';

export interface ReportCommandOptions {
  campaign: string;
  json?: boolean;
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
    const report = buildCampaignReport(options.campaign, await storage.renderLog.campaignReportCounts(options.campaign), io.now ?? new Date());
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
    .description('Per block and variant: renders, unique human opens (prefetches apart), clicks, CTR, and lift vs the holdout with a 95% CI.')
    .requiredOption('--campaign <id>', 'campaign id, as in the tokens')
    .option('--json', 'print the report as JSON (the same document as GET /api/v1/reports/campaigns/:id)')
    .action(async (options: ReportCommandOptions) => {
      await runReport(options);
    });
}
