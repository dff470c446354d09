import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { readCsvRecords } from '../data/ingest-feed-readers';
import type { Keyring } from '../tokens/keyring';
import { signSubscriberToken } from '../tokens/subscriber-token';
import { ampUrl, clickUrl, imageUrl, type ImageFormat } from './opentime-urls';

/**
 * Adds Opentime columns to an ESP export of any size: csv-parse → one
 * Transform → csv-stringify, joined by stream.pipeline, so memory stays
 * constant and a slow disk slows the reader instead of filling the heap.
 *
 * Columns added (names use underscores, which every ESP accepts in field names):
 *   opentime_token                    the subscriber's token             (column set "token")
 *   opentime_img_<block>              ready image URL, .gif for kinds that animate (column set "img")
 *   opentime_amp_<block>              ready amp-list JSON URL             (column set "amp")
 *   opentime_click_<block>_<slot>     ready click URL per slot            (column set "click")
 */
export const COLUMN_SETS = ['token', 'img', 'amp', 'click'] as const;
export type ColumnSet = (typeof COLUMN_SETS)[number];
export const DEFAULT_COLUMN_SETS: readonly ColumnSet[] = ['token', 'img'];

export interface TokensCsvBlock {
  id: string;
  /** The block's image format (opentime-urls.ts imageFormatFor): a GIF when its kind animates. */
  imageFormat: ImageFormat;
  /** Click slots of its picture (the kind's clickSlots rule applied to the block, PreparedBlock.slotCount). */
  slots: number;
}

export interface TokensCsvOptions {
  input: string;
  output: string;
  campaignId: string;
  idColumn: string;
  keyring: Keyring;
  audience: string;
  ttlSeconds: number;
  baseUrl: string;
  blocks: readonly TokensCsvBlock[];
  columns?: readonly ColumnSet[];
  delimiter?: string;
  /** One clock for the whole run: every token gets the same iat. */
  now?: Date;
  /** Called for every skipped row as it happens (the command prints it to stderr). */
  onSkip?: (skip: SkippedRow) => void;
  /** Called every `progressEvery` rows and at the end. */
  onProgress?: (progress: TokensCsvProgress) => void;
  progressEvery?: number;
}

export interface SkippedRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  reason: string;
}

export interface TokensCsvProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
}

export interface TokensCsvSummary {
  /** Data rows read (header excluded). */
  rows: number;
  written: number;
  skipped: number;
  /** The first {@link MAX_LISTED_SKIPS} skipped rows; `skipped` counts them all. */
  skippedRows: SkippedRow[];
  addedColumns: string[];
  elapsedMs: number;
}

/** The summary lists this many skipped rows; all of them went to onSkip as they happened. */
export const MAX_LISTED_SKIPS = 1000;

export class TokensCsvError extends Error {
  override name = 'TokensCsvError';
}

const fieldName = (blockId: string): string => blockId.replace(/-/g, '_');

export function addedColumnNames(blocks: readonly TokensCsvBlock[], sets: readonly ColumnSet[]): string[] {
  const names: string[] = [];
  if (sets.includes('token')) names.push('opentime_token');
  for (const block of blocks) {
    if (sets.includes('img')) names.push(`opentime_img_${fieldName(block.id)}`);
    if (sets.includes('amp')) names.push(`opentime_amp_${fieldName(block.id)}`);
    if (sets.includes('click')) for (let slot = 0; slot < block.slots; slot++) names.push(`opentime_click_${fieldName(block.id)}_${slot}`);
  }
  return names;
}

function addedValues(token: string, options: TokensCsvOptions, sets: readonly ColumnSet[]): string[] {
  const t = encodeURIComponent(token);
  const values: string[] = [];
  if (sets.includes('token')) values.push(token);
  for (const block of options.blocks) {
    if (sets.includes('img')) values.push(imageUrl(options.baseUrl, block.id, t, block.imageFormat));
    if (sets.includes('amp')) values.push(ampUrl(options.baseUrl, block.id, t));
    if (sets.includes('click')) for (let slot = 0; slot < block.slots; slot++) values.push(clickUrl(options.baseUrl, block.id, slot, t));
  }
  return values;
}

export async function addTokenColumns(options: TokensCsvOptions): Promise<TokensCsvSummary> {
  const started = Date.now();
  const sets = options.columns ?? DEFAULT_COLUMN_SETS;
  const now = options.now ?? new Date();
  const progressEvery = options.progressEvery ?? 2000;
  let totalBytes: number;
  try {
    totalBytes = fs.statSync(options.input).size;
  } catch (error) {
    throw new TokensCsvError(`Cannot read ${options.input}: ${(error as Error).message}`);
  }

  const added = addedColumnNames(options.blocks, sets);
  const summary: TokensCsvSummary = { rows: 0, written: 0, skipped: 0, skippedRows: [], addedColumns: added, elapsedMs: 0 };
  let header: string[] | null = null;
  let idIndex = -1;
  /** Where each added column goes: an existing column of the same name is overwritten (a re-run), else appended. */
  let targets: number[] = [];
  let width = 0;

  const skip = (line: number, reason: string): void => {
    summary.skipped++;
    if (summary.skippedRows.length < MAX_LISTED_SKIPS) summary.skippedRows.push({ line, reason });
    options.onSkip?.({ line, reason });
  };

  /** The input's rows with the added columns, as arrays for csv-stringify. */
  async function* rowsWithTokens(input: fs.ReadStream): AsyncGenerator<string[]> {
    for await (const record of readCsvRecords(input, { delimiter: options.delimiter ?? ',', keepEmptyQuotedRows: true })) {
      if (header === null) {
        if (record.cells === undefined) throw new TokensCsvError(`The header on line ${record.line} of ${options.input} is malformed: ${record.problem}.`);
        header = record.cells;
        idIndex = header.indexOf(options.idColumn);
        if (idIndex === -1) {
          throw new TokensCsvError(
            `No "${options.idColumn}" column in ${options.input}. Columns: ${header.map((name) => JSON.stringify(name)).join(', ')}. Choose one with --id-column.`,
          );
        }
        const out = [...header];
        const columns = header;
        targets = added.map((name) => {
          const existing = columns.indexOf(name);
          if (existing !== -1) return existing;
          out.push(name);
          return out.length - 1;
        });
        width = out.length;
        yield out;
        continue;
      }

      summary.rows++;
      if (summary.rows % progressEvery === 0) options.onProgress?.({ bytesRead: input.bytesRead, totalBytes, rows: summary.rows });
      if (record.cells === undefined) {
        skip(record.line, record.problem);
        continue;
      }
      const fields = record.cells;
      if (fields.length !== header.length) {
        skip(record.line, `has ${fields.length} fields; the header has ${header.length}`);
        continue;
      }
      const subscriberId = (fields[idIndex] ?? '').trim();
      if (subscriberId === '') {
        skip(record.line, `no subscriber id in column "${options.idColumn}"`);
        continue;
      }
      let token: string;
      try {
        token = signSubscriberToken(
          options.keyring,
          { subscriberId, campaignId: options.campaignId },
          { audience: options.audience, ttlSeconds: options.ttlSeconds, now },
        );
      } catch (error) {
        skip(record.line, (error as Error).message);
        continue;
      }
      const out = fields.length === width ? fields : fields.concat(new Array<string>(width - fields.length).fill(''));
      const values = addedValues(token, options, sets);
      for (let i = 0; i < values.length; i++) out[targets[i] as number] = values[i] as string;
      summary.written++;
      yield out;
    }
  }

  const partial = `${options.output}.partial`;
  const input = fs.createReadStream(options.input);
  try {
    // Line numbers, blank lines, CRLF and malformed rows are handled as for catalogue imports (readCsvRecords).
    await pipeline(Readable.from(rowsWithTokens(input)), stringify({ delimiter: options.delimiter ?? ',' }), fs.createWriteStream(partial));
  } catch (error) {
    input.destroy();
    fs.rmSync(partial, { force: true });
    if (error instanceof TokensCsvError) throw error;
    throw new TokensCsvError(`Cannot process ${options.input}: ${(error as Error).message}`);
  }
  if (header === null) {
    fs.rmSync(partial, { force: true });
    throw new TokensCsvError(`${options.input} is empty: expected a header row naming the "${options.idColumn}" column.`);
  }
  fs.renameSync(partial, options.output);
  options.onProgress?.({ bytesRead: totalBytes, totalBytes, rows: summary.rows });
  summary.elapsedMs = Date.now() - started;
  return summary;
}

/** "3, 17, 18, 19, 42" → "3, 17–19, 42": skipped lines of big files stay readable. */
export function formatLineList(lines: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] as number;
    let last = first;
    while (i + 1 < lines.length && lines[i + 1] === last + 1) last = lines[++i] as number;
    parts.push(first === last ? String(first) : `${first}–${last}`);
  }
  return parts.join(', ');
}
