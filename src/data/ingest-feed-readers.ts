import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { parse, type CsvError, type CsvErrorCode, type InfoRecord, type Options } from 'csv-parse';
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
    markets: 'idList',
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
    latitude: 'nullableNumber',
    longitude: 'nullableNumber',
    updatedAt: 'string',
  },
};

/**
 * A product's price list in CSV: one column pair per currency, `price_GBP`
 * and `salePrice_GBP` (README "Markets and currencies"). A file with any of
 * them sets each row's whole list to the currencies that row fills in.
 */
const PRICE_LIST_COLUMN = /^(price|salePrice)_([A-Za-z]{3})$/;

/**
 * A subscriber's named dates in CSV: one column per name, `date_couponExpiresAt`
 * (README "Live data in"). An empty cell removes that date, as `null` does in the API.
 */
const NAMED_DATE_COLUMN = /^date_(.+)$/;

function columnType(kind: FeedKind, column: string): CellType | undefined {
  const type = csvColumns[kind][column];
  if (type !== undefined) return type;
  if (kind === 'subscribers') return NAMED_DATE_COLUMN.test(column) ? 'nullableString' : undefined;
  const priceColumn = PRICE_LIST_COLUMN.exec(column);
  if (!priceColumn) return undefined;
  return priceColumn[1] === 'price' ? 'number' : 'nullableNumber';
}

/** `price_GBP` and `salePrice_GBP` cells of one row → `prices.GBP`; every other field as it was. */
function withPriceList(fields: Record<string, unknown>, priceColumns: readonly string[]): Record<string, unknown> {
  const prices: Record<string, { price?: unknown; salePrice?: unknown }> = {};
  for (const column of priceColumns) {
    const value = fields[column];
    delete fields[column];
    const [, field, currency] = PRICE_LIST_COLUMN.exec(column) as RegExpExecArray;
    if (value !== undefined) (prices[currency as string] ??= {})[field as 'price' | 'salePrice'] = value;
  }
  for (const [currency, entry] of Object.entries(prices)) {
    // An empty sale price is "no sale"; with no price beside it, the row has no price in that currency.
    if (entry.price === undefined && entry.salePrice === null) delete prices[currency];
    else entry.salePrice ??= null;
  }
  fields.prices = prices;
  return fields;
}

/** `date_<name>` cells of one row → `dates.<name>`; every other field as it was. */
function withNamedDates(fields: Record<string, unknown>, dateColumns: readonly string[]): Record<string, unknown> {
  const dates: Record<string, unknown> = {};
  for (const column of dateColumns) {
    const value = fields[column];
    delete fields[column];
    if (value !== undefined) dates[(NAMED_DATE_COLUMN.exec(column) as RegExpExecArray)[1] as string] = value;
  }
  if (Object.keys(dates).length > 0) fields.dates = dates;
  return fields;
}

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

/** One CSV record → the fields it sets, typed by column (`types[i]` is the type of `header[i]`). */
function typedFields(header: readonly string[], types: readonly CellType[], cells: readonly string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (let i = 0; i < header.length; i++) {
    const value = cellValue(types[i] as CellType, cells[i] as string);
    if (value !== undefined) fields[header[i] as string] = value;
  }
  return fields;
}

function checkCsvHeader(kind: FeedKind, header: string[], line: number): string[] {
  const known = Object.keys(csvColumns[kind]);
  const unknown = header.filter((column) => columnType(kind, column) === undefined);
  if (unknown.length) {
    const patterned =
      kind === 'products' ? ', and price_<CURRENCY>, salePrice_<CURRENCY> (e.g. price_GBP)' : ', and date_<NAME> (e.g. date_couponExpiresAt)';
    throw new FeedError(`Unknown column(s) ${unknown.map((c) => JSON.stringify(c)).join(', ')} on line ${line}. Expected some of: ${known.join(', ')}${patterned}.`);
  }
  if (!header.includes('id')) throw new FeedError(`No "id" column on line ${line}. Expected some of: ${known.join(', ')}.`);
  const repeated = header.find((column, index) => header.indexOf(column) !== index);
  if (repeated) throw new FeedError(`The column "${repeated}" appears twice on line ${line}.`);
  return header;
}

// ---------------------------------------------------------------------------
// CSV records. csv-parse does the tokenizing (RFC 4180: quotes, "" escapes,
// line breaks inside quotes, LF or CRLF, BOM); we add the line each record
// starts on, and go on past a malformed record instead of stopping.
// ---------------------------------------------------------------------------

/** A CSV record, or lines csv-parse could not read as records (quotes that do not balance). */
export type CsvRecord =
  | { line: number; cells: string[]; lastLine?: undefined; problem?: undefined }
  | { line: number; lastLine: number; cells?: undefined; problem: string };

const LF = 0x0a;
const CRLF_BYTES = 2;
const BOM_BYTES = 3;

/**
 * Passes the bytes on to csv-parse and notes where the line breaks (LF) are,
 * to turn the byte offset at which csv-parse says a record ends
 * (`info.bytes`) into a line number. Not csv-parse's own `info.lines`: it
 * counts a CR as a line break too, so a CRLF inside a quoted field counts
 * twice and every later line number is off. Only breaks past the last offset
 * asked about are kept, so memory stays flat.
 */
class LineBreaks extends Transform {
  private offsets: number[] = [];
  private head = 0;
  private dropped = 0;
  /** Bytes seen so far. */
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) this.offsets.push(this.bytes + i);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  /** The 1-based line of the byte at `offset`. Offsets must not decrease from one call to the next. */
  lineAt(offset: number): number {
    const { offsets } = this;
    while (this.head < offsets.length && (offsets[this.head] as number) < offset) this.head++;
    if (this.head > 4096 && this.head * 2 > offsets.length) {
      this.dropped += this.head;
      this.offsets = offsets.slice(this.head);
      this.head = 0;
    }
    return 1 + this.dropped + this.head;
  }
}

function lineBreaksIn(cells: readonly string[]): number {
  let count = 0;
  for (const cell of cells) for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) count++;
  return count;
}

/** csv-parse's errors in words for whoever fixes the file (its own messages give line numbers counted its way, see LineBreaks). */
const csvProblems: Partial<Record<CsvErrorCode, string>> = {
  CSV_INVALID_CLOSING_QUOTE: 'unexpected text after a closing quote',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field (quote the whole field and double the quote: "12"" screen")',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
};

const csvParseOptions: Options = {
  bom: true,
  // LF or CRLF, even mixed in one file, rather than whichever the first line uses.
  record_delimiter: ['\r\n', '\n'],
  // Per record, where it ends (→ its line) and how many records came before (→ where skipped ones belong).
  // It costs about 0.5 s per 200,000 rows here (2.3 s instead of 1.7 s to read the bench feed); exact lines are worth it.
  info: true,
  // Rows whose cell count differs from the header's are reported by readCsv, not dropped.
  relax_column_count: true,
  // A malformed record is a 'skip' event, and parsing goes on.
  skip_records_with_error: true,
  // Left at their defaults, as they cost nothing: no `columns` (cells are mapped by position in typedFields), no `cast`, no `trim`.
};

interface ParsedCsvRecord {
  record: string[];
  info: InfoRecord;
}

/** How many records csv-parse had emitted when it skipped for this error. */
const recordsBefore = (error: CsvError): number => error.records as number;

/**
 * The records of a CSV stream, blank lines left out, each with the line it
 * starts on. Whatever csv-parse skips comes out in its place as one problem
 * naming its lines. After a stray quote csv-parse reads on as if inside a
 * quoted field until the quotes balance again, so the lines it swallows are
 * part of that problem: reported, never lost silently.
 */
export interface CsvReadOptions {
  /** Cell separator (default ","). */
  delimiter?: string;
  /**
   * A line holding only `""` (one empty quoted cell): skipped like a blank
   * line for catalogue feeds (default), kept as a row where a one-column file
   * can mean an empty value, e.g. a subscriber export with an empty id.
   */
  keepEmptyQuotedRows?: boolean;
}

export async function* readCsvRecords(input: Readable, options: CsvReadOptions = {}): AsyncGenerator<CsvRecord> {
  const lineBreaks = new LineBreaks();
  const parser = parse(options.delimiter === undefined ? csvParseOptions : { ...csvParseOptions, delimiter: options.delimiter });
  const skipped: CsvError[] = [];
  parser.on('skip', (error: CsvError) => skipped.push(error));
  // A read error reaches the loop below through the parser; leaving the loop early destroys all three and closes the file.
  pipeline(input, lineBreaks, parser, () => undefined);

  /** What csv-parse skipped before its `records`-th record, as one problem over `line`…`lastLine`. */
  const skippedLines = (records: number, line: number, lastLine: number): CsvRecord => {
    const first = skipped[0] as CsvError;
    while (skipped.length > 0 && recordsBefore(skipped[0] as CsvError) < records) skipped.shift();
    const what = csvProblems[first.code] ?? first.message;
    return { line, lastLine, problem: lastLine > line ? `${what}, so lines ${line}–${lastLine} could not be read` : what };
  };

  let nextLine = 1;
  let previousEnd = 0;
  for await (const { record, info } of parser as AsyncIterable<ParsedCsvRecord>) {
    let line = nextLine;
    if (skipped.length > 0 && recordsBefore(skipped[0] as CsvError) < info.records) {
      line = lineBreaks.lineAt(info.bytes - 1) - lineBreaksIn(record);
      yield skippedLines(info.records, nextLine, Math.max(nextLine, line - 1));
    }
    nextLine = lineBreaks.lineAt(info.bytes);
    // A blank line is just its line break (after the BOM, on the first line); `""` takes more bytes.
    const blank =
      record.length === 1 && record[0] === '' && (!options.keepEmptyQuotedRows || info.bytes - previousEnd <= (previousEnd === 0 ? BOM_BYTES : 0) + CRLF_BYTES);
    previousEnd = info.bytes;
    if (blank) continue;
    yield { line, cells: record };
  }
  if (skipped.length > 0) yield skippedLines(Infinity, nextLine, Math.max(nextLine, lineBreaks.lineAt(lineBreaks.bytes - 1)));
}

async function* readCsv(kind: FeedKind, input: Readable): AsyncGenerator<FeedRow> {
  let header: string[] | undefined;
  let types: CellType[] = [];
  let priceColumns: string[] = [];
  let dateColumns: string[] = [];
  let position = 0;
  for await (const record of readCsvRecords(input)) {
    if (record.cells === undefined) {
      if (!header) throw new FeedError(`The header on line ${record.line} is malformed: ${record.problem}.`);
      yield { line: record.line, position: position++, problem: record.problem };
    } else if (!header) {
      header = checkCsvHeader(kind, record.cells.map((column) => column.trim()), record.line);
      types = header.map((column) => columnType(kind, column) ?? 'string');
      priceColumns = kind === 'products' ? header.filter((column) => PRICE_LIST_COLUMN.test(column)) : [];
      dateColumns = kind === 'subscribers' ? header.filter((column) => NAMED_DATE_COLUMN.test(column)) : [];
    } else if (record.cells.length !== header.length) {
      // A row with the wrong number of cells is reported and skipped; the import goes on.
      yield { line: record.line, position: position++, problem: `expected ${header.length} cells (as in the header), found ${record.cells.length}` };
    } else {
      const fields = typedFields(header, types, record.cells);
      if (priceColumns.length > 0) withPriceList(fields, priceColumns);
      if (dateColumns.length > 0) withNamedDates(fields, dateColumns);
      yield { line: record.line, position: position++, fields };
    }
  }
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
