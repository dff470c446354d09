import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadBlocksConfig, type BlockCatalog } from '../blocks/blocks-config';
import { slotCount } from '../blocks/slots';
import { loadConfig } from '../config';
import { publicUrlForCommands } from '../server-address';
import { imageFormatFor } from '../email/opentime-urls';
import { defaultTemplatesDir, listTemplates, loadTemplate, templateBlockIds } from '../email/templates';
import {
  addTokenColumns,
  COLUMN_SETS,
  DEFAULT_COLUMN_SETS,
  formatLineList,
  MAX_LISTED_SKIPS,
  type ColumnSet,
  type TokensCsvBlock,
  type TokensCsvSummary,
} from '../email/tokens-csv';
import { keyringFromConfig } from '../tokens/keyring-from-config';
import { DEFAULT_TTL_SECONDS } from '../tokens/subscriber-token';
import { ttlOption } from './ttl-option';

export interface TokensCommandOptions {
  campaign: string;
  in: string;
  out: string;
  idColumn?: string;
  /** Blocks for the URL columns, by id; default: the template's, else every configured block. */
  blocks?: string[];
  template?: string;
  templatesDir?: string;
  columns?: ColumnSet[];
  ttlSeconds?: number;
  delimiter?: string;
  /** Write every skipped row (line, reason) to this CSV. */
  skippedOut?: string;
  /** Exit 1 when any row was skipped. */
  strict?: boolean;
  now?: Date;
}

export interface TokensIo {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Heap sampling and the like, for tests and benchmarks; called with each progress report. */
  onProgress?: (rows: number) => void;
}

export class TokensCommandError extends Error {
  override name = 'TokensCommandError';
}

/** Skipped rows printed as they happen (without a progress bar); all of them are counted and in --skipped-out. */
const LIVE_SKIP_LINES = 100;

function chooseBlocks(options: TokensCommandOptions, blocks: BlockCatalog, cwd: string): TokensCsvBlock[] {
  let ids: string[];
  if (options.blocks?.length) {
    ids = options.blocks;
  } else {
    const dir = options.templatesDir ? path.resolve(cwd, options.templatesDir) : defaultTemplatesDir();
    const name = options.template ?? (fs.existsSync(dir) && listTemplates(dir).includes(options.campaign) ? options.campaign : undefined);
    ids = name ? templateBlockIds(loadTemplate(name, dir)) : [...blocks.keys()];
  }
  return ids.map((id) => {
    const block = blocks.get(id);
    if (!block) throw new TokensCommandError(`Unknown block "${id}". Known blocks: ${[...blocks.keys()].join(', ')}.`);
    return { id, imageFormat: imageFormatFor(block.kind), slots: slotCount(block) };
  });
}

function summaryText(summary: TokensCsvSummary, out: string, idColumn: string): string {
  const seconds = summary.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(summary.rows / seconds) : summary.rows;
  const lines = [
    `Wrote ${out}: ${summary.written.toLocaleString('en-US')} rows with tokens, ${summary.skipped.toLocaleString('en-US')} skipped, ` +
      `${summary.rows.toLocaleString('en-US')} read in ${seconds.toFixed(1)} s (${rate.toLocaleString('en-US')} rows/s).`,
    `Added columns: ${summary.addedColumns.join(', ')}.`,
  ];
  if (summary.skipped > 0) {
    const listed = summary.skippedRows.map((row) => row.line);
    const more = summary.skipped > listed.length ? ` and ${(summary.skipped - listed.length).toLocaleString('en-US')} more` : '';
    lines.push(`Skipped ${summary.skipped.toLocaleString('en-US')} rows (no "${idColumn}", or unusable): lines ${formatLineList(listed)}${more}.`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `opentime tokens`: adds token (and ready URL) columns to an ESP export,
 * streaming. Resolves to the exit code: 0, or 1 with --strict when rows were skipped.
 */
export async function runTokens(options: TokensCommandOptions, io: TokensIo = {}): Promise<{ code: number; summary: TokensCsvSummary }> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const stderr = io.stderr ?? process.stderr;
  const loaded = loadConfig(env, cwd);
  const config = { ...loaded, publicUrl: publicUrlForCommands(loaded, (line) => stderr.write(`${line}\n`)) };
  const blocks = loadBlocksConfig(config.blocksFile);
  const columns = options.columns ?? [...DEFAULT_COLUMN_SETS];
  const chosen = columns.some((set) => set !== 'token') ? chooseBlocks(options, blocks, cwd) : [];
  const idColumn = options.idColumn ?? 'subscriber_id';
  const input = path.resolve(cwd, options.in);
  const output = path.resolve(cwd, options.out);
  if (input === output) throw new TokensCommandError('--in and --out name the same file; write the result to a new file.');

  const bar =
    stderr.isTTY === true
      ? new cliProgress.SingleBar(
          { format: 'tokens |{bar}| {percentage}% | {rows} rows | ETA {eta_formatted}', stream: stderr, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        )
      : null;
  let size = 1;
  try {
    size = Math.max(fs.statSync(input).size, 1);
  } catch {
    // addTokenColumns reports the unreadable input.
  }
  bar?.start(size, 0, { rows: '0' });

  const skippedFd = options.skippedOut ? fs.openSync(path.resolve(cwd, options.skippedOut), 'w') : null;
  if (skippedFd !== null) fs.writeSync(skippedFd, 'line,reason\n');
  let liveSkips = 0;
  let summary: TokensCsvSummary;
  try {
    summary = await addTokenColumns({
      input,
      output,
      campaignId: options.campaign,
      idColumn,
      keyring: keyringFromConfig(config),
      audience: config.tokenAudience,
      ttlSeconds: options.ttlSeconds ?? DEFAULT_TTL_SECONDS,
      baseUrl: config.publicUrl,
      blocks: chosen,
      columns,
      ...(options.delimiter ? { delimiter: options.delimiter } : {}),
      ...(options.now ? { now: options.now } : {}),
      onSkip: (skip) => {
        if (skippedFd !== null) fs.writeSync(skippedFd, `${skip.line},"${skip.reason.replace(/"/g, '""')}"\n`);
        if (!bar && liveSkips < LIVE_SKIP_LINES) stderr.write(`${options.in}:${skip.line}: skipped: ${skip.reason}\n`);
        else if (!bar && liveSkips === LIVE_SKIP_LINES) stderr.write(`… further skipped rows are counted in the summary${options.skippedOut ? ` and listed in ${options.skippedOut}` : ''}.\n`);
        liveSkips++;
      },
      onProgress: ({ bytesRead, totalBytes, rows }) => {
        bar?.setTotal(Math.max(totalBytes, 1));
        bar?.update(bytesRead, { rows: rows.toLocaleString('en-US') });
        io.onProgress?.(rows);
      },
    });
  } finally {
    bar?.stop();
    if (skippedFd !== null) fs.closeSync(skippedFd);
  }
  stderr.write(summaryText(summary, options.out, idColumn));
  if (summary.skipped > MAX_LISTED_SKIPS && !options.skippedOut) stderr.write('Pass --skipped-out <file> to list every skipped row.\n');
  return { code: options.strict && summary.skipped > 0 ? 1 : 0, summary };
}

function listOption(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

function columnsOption(value: string): ColumnSet[] {
  const sets = listOption(value);
  for (const set of sets) {
    if (!(COLUMN_SETS as readonly string[]).includes(set)) {
      throw new InvalidArgumentError(`Unknown column set "${set}". Expected a comma-separated list of: ${COLUMN_SETS.join(', ')}.`);
    }
  }
  return sets as ColumnSet[];
}

export function registerTokensCommand(program: Command): void {
  program
    .command('tokens')
    .description(
      'Add subscriber tokens (and ready image/AMP/click URLs) to an ESP export CSV of any size, streaming. ' +
        'Rows without a subscriber id are reported with their line numbers and skipped.',
    )
    .requiredOption('--campaign <id>', 'campaign id (tokens are scoped to it)')
    .requiredOption('--in <file>', 'the CSV export, with a header row')
    .requiredOption('--out <file>', 'where to write the CSV with the added columns')
    .option('--id-column <name>', 'the column holding the subscriber id', 'subscriber_id')
    .addOption(
      new Option('--columns <sets>', `which columns to add, comma-separated: ${COLUMN_SETS.join(', ')}`)
        .argParser(columnsOption)
        .default([...DEFAULT_COLUMN_SETS], DEFAULT_COLUMN_SETS.join(',')),
    )
    .option('--template <name>', 'blocks for the URL columns: those of this template (default: the one named after the campaign, else every block)')
    .option('--templates-dir <dir>', 'where templates live (default: amp-templates/)')
    .option('--blocks <ids>', 'blocks for the URL columns, comma-separated (overrides --template)', listOption)
    .addOption(new Option('--ttl <duration>', 'token validity: 31d, 12h, 90m, 45s, 2w or seconds').argParser(ttlOption).default(DEFAULT_TTL_SECONDS, '31d'))
    .option('--delimiter <char>', 'field delimiter of the input (and output)', ',')
    .option('--skipped-out <file>', 'also write every skipped row (line, reason) to this CSV')
    .option('--strict', 'exit 1 when any row was skipped')
    .action(async (options: Omit<TokensCommandOptions, 'ttlSeconds'> & { ttl: number }) => {
      const { code } = await runTokens({ ...options, ttlSeconds: options.ttl });
      process.exitCode = code;
    });
}
