import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { CsvTokenizer, type CsvRecord } from './ingest-csv';
import { JsonArraySplitter, type JsonArrayElement } from './ingest-json-array';

/**
 * Streaming readers for catalogue and profile feeds: one record at a time,
 * whatever the file size, each with the line it starts on, so bad rows can
 * be reported precisely.
 */

export type FeedKind = 'products' | 'subscribers';
export const feedFormats = ['csv', 'json', 'ndjson'] as const;
export type FeedFormat = (typeof feedFormats)[number];

export interface FeedRow {
  /** 1-based line the record starts on (absent only for a problem with the end of the file). */
  line?: number;
  /** 0-based position among the file's records. */
  position: number;
  /** The record's fields, or absent when the row could not be read at all (see `problem`). */
  fields?: Record<string, unknown>;
  problem?: string;
}

/** A problem with the whole file (unreadable, wrong header, not the expected JSON shape): nothing is imported past it. */
export class FeedError extends Error {
  override name = 'FeedError';
}

export function formatOfFile(file: string): FeedFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.json') return 'json';
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  throw new FeedError(`Cannot tell the format of ${file} from its extension. Expected .csv, .json, .ndjson or .jsonl (or pass --format).`);
}

// ---------------------------------------------------------------------------
// CSV cells → typed fields. A column header is a field name of the API
// payload (camelCase). An empty cell leaves the field out (the stored value
// stays), except in nullable columns, where it clears the value: a catalogue
// export writes "no sale" as an empty salePrice.
// ---------------------------------------------------------------------------

type CellType = 'string' | 'number' | 'nullableNumber' | 'nullableString' | 'idList';

export const csvColumns: Record<FeedKind, Readonly<Record<string, CellType>>> = {
  products: {
    id: 'string',
    name: 'string',
    url: 'string',
    image: 'string',
    category: 'string',
    price: 'number',
    salePrice: 'nullableNumber',
    currency: 'string',
    stock: 'number',
    popularity: 'number',
    updatedAt: 'string',
  },
  subscribers: {
    id: 'string',
    firstName: 'string',
    locale: 'string',
    timeZone: 'string',
    currency: 'string',
    country: 'nullableString',
    city: 'nullableString',
    loyaltyPoints: 'number',
    loyaltyTier: 'nullableString',
    recentViews: 'idList',
    cart: 'idList',
    purchases: 'idList',
    updatedAt: 'string',
  },
};

/** Ids in one cell of a list column, most recent first: "a|b|c". */
const LIST_SEPARATOR = '|';
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

function cellValue(type: CellType, cell: string): unknown {
  const text = cell.trim();
  if (text === '') return type === 'nullableNumber' || type === 'nullableString' ? null : undefined;
  switch (type) {
    case 'string':
    case 'nullableString':
      return text;
    case 'number':
    case 'nullableNumber':
      // Not a plain decimal: left as text, so validation says "expected number, received string".
      return DECIMAL.test(text) ? Number(text) : text;
    case 'idList':
      return text.split(LIST_SEPARATOR).map((id) => id.trim()).filter(Boolean);
  }
}

/** One CSV record → the fields it sets, typed by column. */
export function csvCellsToFields(kind: FeedKind, header: readonly string[], cells: readonly string[]): Record<string, unknown> {
  const types = csvColumns[kind];
  const fields: Record<string, unknown> = {};
  for (let i = 0; i < header.length; i++) {
    const column = header[i] as string;
    const value = cellValue(types[column] ?? 'string', cells[i] ?? '');
    if (value !== undefined) fields[column] = value;
  }
  return fields;
}

function checkCsvHeader(kind: FeedKind, header: string[], line: number): string[] {
  const known = Object.keys(csvColumns[kind]);
  const unknown = header.filter((column) => !known.includes(column));
  if (unknown.length) {
    throw new FeedError(`Unknown column(s) ${unknown.map((c) => JSON.stringify(c)).join(', ')} on line ${line}. Expected some of: ${known.join(', ')}.`);
  }
  if (!header.includes('id')) throw new FeedError(`No "id" column on line ${line}. Expected some of: ${known.join(', ')}.`);
  const repeated = header.find((column, index) => header.indexOf(column) !== index);
  if (repeated) throw new FeedError(`The column "${repeated}" appears twice on line ${line}.`);
  return header;
}

async function* readCsv(kind: FeedKind, input: Readable): AsyncGenerator<FeedRow> {
  input.setEncoding('utf8');
  const tokenizer = new CsvTokenizer();
  let header: string[] | undefined;
  let position = 0;
  const records: CsvRecord[] = [];
  const rowsOf = function* (): Generator<FeedRow> {
    for (const record of records) {
      if (!header) {
        if (record.problem) throw new FeedError(`The header on line ${record.line} is malformed: ${record.problem}.`);
        header = checkCsvHeader(kind, record.cells.map((column) => column.trim()), record.line);
      } else if (record.problem) {
        yield { line: record.line, position: position++, problem: record.problem };
      } else if (record.cells.length !== header.length) {
        // A row with the wrong number of cells is reported and skipped; the import goes on.
        yield { line: record.line, position: position++, problem: `expected ${header.length} cells (as in the header), found ${record.cells.length}` };
      } else {
        yield { line: record.line, position: position++, fields: csvCellsToFields(kind, header, record.cells) };
      }
    }
    records.length = 0;
  };
  for await (const chunk of input as AsyncIterable<string>) {
    tokenizer.push(chunk, records);
    yield* rowsOf();
  }
  tokenizer.end(records);
  yield* rowsOf();
  if (!header) throw new FeedError('The CSV is empty: expected a header line of field names, e.g. "id,stock,price".');
}

async function* readNdjson(input: Readable): AsyncGenerator<FeedRow> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  let position = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(text);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        yield { line, position: position++, problem: 'expected a JSON object on this line' };
      } else {
        yield { line, position: position++, fields: value as Record<string, unknown> };
      }
    } catch (error) {
      yield { line, position: position++, problem: `not valid JSON: ${(error as Error).message}` };
    }
  }
}

/**
 * A JSON array of records, or the API's own body shape `{"products": […]}`,
 * streamed (the file is never held in memory), each record with its line.
 */
async function* readJson(kind: FeedKind, input: Readable, firstCharacter: string): AsyncGenerator<FeedRow> {
  input.setEncoding('utf8');
  const splitter = new JsonArraySplitter(firstCharacter === '{' ? kind : null);
  const elements: JsonArrayElement[] = [];
  let position = 0;
  const rowsOf = function* (): Generator<FeedRow> {
    for (const { text, line } of elements) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        yield { line, position: position++, problem: `not valid JSON: ${(error as Error).message}` };
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) yield { line, position: position++, problem: 'expected a JSON object' };
      else yield { line, position: position++, fields: value as Record<string, unknown> };
    }
    elements.length = 0;
  };
  for await (const chunk of input as AsyncIterable<string>) {
    splitter.push(chunk, elements);
    yield* rowsOf();
  }
  const { found, closed } = splitter.end(elements);
  yield* rowsOf();
  if (!found) throw new FeedError(`Expected a JSON array of ${kind}, or {"${kind}": […]}; found no such array.`);
  if (!closed) yield { position: position++, problem: 'the file ends before the array is closed (a truncated file?)' };
}

/** The first non-blank character of a file (to tell `[…]` from `{"products": […]}`). */
async function firstCharacterOf(file: string): Promise<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return /\S/.exec(buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, ''))?.[0] ?? '';
  } finally {
    await handle.close();
  }
}

export interface OpenedFeed {
  rows: AsyncGenerator<FeedRow>;
  totalBytes: number;
  /** Bytes read so far, for a progress bar. */
  bytesRead(): number;
}

export async function openFeed(file: string, kind: FeedKind, format: FeedFormat = formatOfFile(file)): Promise<OpenedFeed> {
  let totalBytes: number;
  try {
    totalBytes = (await fs.promises.stat(file)).size;
  } catch (error) {
    throw new FeedError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  const first = format === 'json' ? await firstCharacterOf(file) : '';
  if (format === 'json' && first !== '[' && first !== '{') throw new FeedError(`${file}: expected a JSON array of ${kind}, or {"${kind}": […]}.`);
  // Large reads: parsing, not I/O, is the cost, and fewer chunks mean fewer stream hops.
  const input = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  let read = 0;
  // Readers decode to text; the progress bar counts bytes of the file.
  input.on('data', (chunk: string | Buffer) => (read += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length));
  const rows = format === 'csv' ? readCsv(kind, input) : format === 'ndjson' ? readNdjson(input) : readJson(kind, input, first);
  return { rows, totalBytes, bytesRead: () => read };
}
