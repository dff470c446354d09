import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config';
import { FeedError, feedFormats, type FeedFormat, type FeedKind } from '../data/ingest-feed-readers';
import { importFeed, rowLocation, type ImportSummary } from '../data/ingest-feed';
import { openStorage } from '../storage/open-storage';
import type { Storage } from '../storage/storage';

export interface ImportCommandOptions {
  format?: FeedFormat;
  dryRun?: boolean;
  /** How many rejected rows to list (all are counted). */
  showErrors?: number;
}

const DEFAULT_SHOWN_ERRORS = 50;

/**
 * `opentime import products|subscribers <file>`: streams a CSV, JSON or
 * NDJSON feed into the database of the configured data directory. A server
 * running on the same database sees the rows within OPENTIME_FRESHNESS_MS
 * (its cache entries expire; SQLite WAL lets both processes work at once).
 * Exit code 0 when every row was accepted, 1 when some were rejected.
 */
export async function runImport(
  kind: FeedKind,
  file: string,
  options: ImportCommandOptions,
  io: { storage?: Pick<Storage, 'ingestion' | 'close'>; stderr?: NodeJS.WriteStream | NodeJS.WritableStream; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  // Storage handed in (tests) comes without a configuration: the defaults apply.
  let storage = io.storage;
  let maxClockSkewSeconds: number | undefined;
  if (!storage) {
    const config = loadConfig(io.env ?? process.env, io.cwd ?? process.cwd());
    storage = await openStorage(config);
    maxClockSkewSeconds = config.maxClockSkewSeconds;
  }
  const interactive = (stderr as NodeJS.WriteStream).isTTY === true;
  const bar = interactive
    ? new cliProgress.SingleBar(
        { stream: stderr as NodeJS.WriteStream, format: `${kind} [{bar}] {percentage}% | {rows} rows | {eta_formatted} left`, hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let summary: ImportSummary;
  try {
    let started = false;
    summary = await importFeed({
      ingestion: storage.ingestion,
      kind,
      file,
      format: options.format,
      dryRun: options.dryRun,
      maxClockSkewSeconds,
      onProgress: bar
        ? (progress) => {
            if (!started) {
              bar.start(progress.totalBytes, 0, { rows: 0 });
              started = true;
            }
            bar.update(progress.bytesRead, { rows: progress.rows });
          }
        : undefined,
    });
    bar?.stop();
  } catch (error) {
    bar?.stop();
    if (error instanceof FeedError) {
      stderr.write(`opentime import: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    if (!io.storage) await storage.close();
  }
  stderr.write(formatImportSummary(summary, options.showErrors ?? DEFAULT_SHOWN_ERRORS));
  return summary.rejected.length > 0 ? 1 : 0;
}

export function formatImportSummary(summary: ImportSummary, shownErrors: number): string {
  const seconds = summary.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(summary.rows / seconds) : summary.rows;
  const accepted = summary.rows - summary.rejected.length;
  const lines = [
    summary.dryRun
      ? `Checked ${summary.rows} ${summary.kind} in ${seconds.toFixed(2)} s (${rate} rows/s), nothing written: ${accepted} valid, ${summary.rejected.length} rejected.`
      : `Imported ${summary.rows} ${summary.kind} in ${seconds.toFixed(2)} s (${rate} rows/s): ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ` +
        `${summary.stale} stale (older than what is stored, not applied), ${summary.rejected.length} rejected.`,
  ];
  for (const row of summary.rejected.slice(0, shownErrors)) {
    lines.push(`  ${rowLocation(row)}${row.id ? ` (id ${JSON.stringify(row.id)})` : ''}: ${row.problems.join('; ')}`);
  }
  if (summary.rejected.length > shownErrors) lines.push(`  … and ${summary.rejected.length - shownErrors} more rejected rows (--show-errors N to list more).`);
  return `${lines.join('\n')}\n`;
}

function kindArgument(value: string): FeedKind {
  if (value !== 'products' && value !== 'subscribers') throw new InvalidArgumentError('Expected "products" or "subscribers".');
  return value;
}

function formatOption(value: string): FeedFormat {
  if (!(feedFormats as readonly string[]).includes(value)) throw new InvalidArgumentError(`Expected one of: ${feedFormats.join(', ')}.`);
  return value as FeedFormat;
}

function countOption(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) throw new InvalidArgumentError('Expected a whole number, e.g. 100.');
  return count;
}

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('Load a product catalogue or subscriber profiles from a CSV, JSON or NDJSON file (streamed; partial updates; bad rows reported by line).')
    .argument('<kind>', 'products or subscribers', kindArgument)
    .argument('<file>', 'a .csv (header row of field names), .json (array, or {"products": […]}) or .ndjson file')
    .option('--format <format>', `override the format the extension implies: ${feedFormats.join(', ')}`, formatOption)
    .option('--dry-run', 'validate every row, write nothing')
    .option('--show-errors <n>', `how many rejected rows to list (default ${DEFAULT_SHOWN_ERRORS})`, countOption)
    .action(async (kind: FeedKind, file: string, options: ImportCommandOptions) => {
      process.exitCode = await runImport(kind, file, options);
    });
}
