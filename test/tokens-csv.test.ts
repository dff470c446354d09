import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import v8 from 'node:v8';
import vm from 'node:vm';
import { runTokens } from '../src/commands/tokens';
import { loadConfig } from '../src/config';
import { addedColumnNames, formatLineList } from '../src/email/tokens-csv';
import { keyringFromConfig } from '../src/tokens/keyring-from-config';
import { verifySubscriberToken } from '../src/tokens/subscriber-token';
import { BASE, cliEnvironment, ROOT, textSink } from './helpers/cli-environment';

const ROWS = 100_000;

// A full collection before each heap sample measures what the run keeps alive, not where the GC sawtooth happens to be.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;


/**
 * Reads the output back as records with a small reader of our own (csv-parse
 * runs about ten times slower inside jest's sandbox, and an independent reader
 * is a better witness anyway): a record continues while its quotes are unbalanced.
 */
async function* csvRecords(file: string): AsyncGenerator<string[]> {
  const input = fs.createReadStream(file, 'utf8');
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  // A caller that stops early must not leave the file open (jest reports it as an open handle).
  try {
    yield* parseCsvLines(lines);
  } finally {
    lines.close();
    input.destroy();
  }
}

async function* parseCsvLines(lines: AsyncIterable<string>): AsyncGenerator<string[]> {
  let pending: string | null = null;
  for await (const line of lines) {
    const text: string = pending === null ? line : `${pending}\n${line}`;
    if ((text.split('"').length - 1) % 2 === 1) {
      pending = text;
      continue;
    }
    pending = null;
    if (!text.includes('"')) {
      yield text.split(',');
      continue;
    }
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
        else if (ch === '"') quoted = false;
        else field += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') fields.push(field), (field = '');
      else field += ch;
    }
    fields.push(field);
    yield fields;
  }
  if (pending !== null) throw new Error('unterminated quoted field at the end of the file');
}

async function* csvRows(file: string): AsyncGenerator<Record<string, string>> {
  let header: string[] | null = null;
  for await (const fields of csvRecords(file)) {
    if (!header) {
      header = fields;
      continue;
    }
    if (fields.length !== header.length) throw new Error(`a record with ${fields.length} fields; the header has ${header.length}`);
    yield Object.fromEntries(header.map((name, i) => [name, fields[i] as string]));
  }
}

const environment = cliEnvironment('opentime-tokens-');

/**
 * Writes an ESP-like export: a header, ROWS data rows, some without an id, one
 * with an id of blanks, one with a field too many, one whose quoted address
 * spans two lines, and blank lines. Returns the 1-based lines of the rows that
 * must be skipped.
 */
async function writeExport(file: string): Promise<{ skippedLines: number[]; ids: string[] }> {
  const out = fs.createWriteStream(file);
  const write = (text: string): Promise<void> =>
    out.write(text) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve()));
  const skippedLines: number[] = [];
  const ids: string[] = [];
  let line = 1;
  await write('subscriber_id,email,first_name\n');
  for (let i = 1; i <= ROWS; i++) {
    line++;
    if (i % 20_000 === 7) {
      await write('\n'); // a blank line: not a row, but it moves the line numbers
      line++;
    }
    if (i % 9_973 === 0) {
      skippedLines.push(line);
      await write(`,nobody${i}@example.com,Nobody\n`);
    } else if (i === 31_337) {
      skippedLines.push(line);
      await write(`   ,blank${i}@example.com,Blank\n`);
    } else if (i === 42_000) {
      skippedLines.push(line);
      await write(`sub-${i},extra@example.com,Extra,field\n`);
    } else if (i === 50_001) {
      const id = `sub-${i}`;
      ids.push(id);
      await write(`${id},"two\nlines@example.com",Multi\n`);
      line++;
    } else if (i === 50_002) {
      // Right after the two-line row: its line number proves the count stayed right.
      skippedLines.push(line);
      await write(`,after-multiline@example.com,After\n`);
    } else {
      const id = `sub-${String(i).padStart(6, '0')}`;
      ids.push(id);
      await write(`${id},user${i}@example.com,Name ${i}\n`);
    }
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { skippedLines, ids };
}

describe('opentime tokens on a 100,000-row export', () => {
  let input: string;
  let output: string;
  let expected: { skippedLines: number[]; ids: string[] };
  let result: Awaited<ReturnType<typeof runTokens>>;
  let stderr: ReturnType<typeof textSink>;
  const heap: { rows: number; bytes: number }[] = [];
  let baseline = 0;

  beforeAll(async () => {
    input = path.join(environment.dir(), 'subscribers.csv');
    output = path.join(environment.dir(), 'with-tokens.csv');
    expected = await writeExport(input);
    stderr = textSink();
    gc();
    baseline = process.memoryUsage().heapUsed;
    result = await runTokens(
      { campaign: 'flash-sale', in: input, out: output },
      {
        env: environment.env(),
        cwd: ROOT,
        stderr,
        onProgress: (rows) => {
          gc();
          heap.push({ rows, bytes: process.memoryUsage().heapUsed });
        },
      },
    );
  }, 180_000);

  test('every written row carries a token that verifies for that row\'s subscriber id, and matching image URLs', async () => {
    const config = loadConfig(environment.env(), ROOT);
    const keyring = keyringFromConfig(config);
    const seen: string[] = [];
    for await (const row of csvRows(output)) {
      const claims = verifySubscriberToken(keyring, row.opentime_token, { audience: config.tokenAudience });
      if (claims.subscriberId !== row.subscriber_id || claims.campaignId !== 'flash-sale') {
        throw new Error(`row ${seen.length + 1}: token is for ${claims.subscriberId}/${claims.campaignId}, row is ${row.subscriber_id}`);
      }
      const t = encodeURIComponent(row.opentime_token as string);
      if (
        row.opentime_img_flash_countdown !== `${BASE}/img/v1/blocks/flash-countdown.gif?t=${t}` ||
        row.opentime_img_hero_product !== `${BASE}/img/v1/blocks/hero-product.png?t=${t}` ||
        row.opentime_img_picks !== `${BASE}/img/v1/blocks/picks.png?t=${t}`
      ) {
        throw new Error(`row ${seen.length + 1}: image URLs do not match its token`);
      }
      seen.push(row.subscriber_id as string);
    }
    expect(seen).toEqual(expected.ids);
    expect(seen).toHaveLength(ROWS - expected.skippedLines.length);
    expect(result.summary).toMatchObject({ rows: ROWS, written: ROWS - expected.skippedLines.length, skipped: expected.skippedLines.length });
  }, 120_000);

  test('keeps the input columns and the multi-line field, and adds the documented columns', async () => {
    const header = fs.readFileSync(output, 'utf8').slice(0, 300).split('\n')[0];
    expect(header).toBe('subscriber_id,email,first_name,opentime_token,opentime_img_flash_countdown,opentime_img_hero_product,opentime_img_picks');
    let multiline: string | undefined;
    for await (const row of csvRows(output)) {
      if (row.subscriber_id === 'sub-50001') {
        multiline = row.email;
        break;
      }
    }
    expect(multiline).toBe('two\nlines@example.com');
  });

  test('rows without a subscriber id are skipped and reported with their line numbers, live and in the summary', () => {
    expect(result.summary.skippedRows.map((row) => row.line)).toEqual(expected.skippedLines);
    const live = [...stderr.text().matchAll(/subscribers\.csv:(\d+): skipped: (.*)/g)].map((match) => Number(match[1]));
    expect(live).toEqual(expected.skippedLines);
    expect(stderr.text()).toContain(`Skipped ${expected.skippedLines.length} rows (no "subscriber_id", or unusable): lines ${formatLineList(expected.skippedLines)}.`);
    const reasons = new Map(result.summary.skippedRows.map((row) => [row.line, row.reason]));
    expect(reasons.get(expected.skippedLines[0]!)).toBe('no subscriber id in column "subscriber_id"');
    expect([...reasons.values()]).toContain('has 4 fields; the header has 3');
    expect(result.code).toBe(0);
  });

  test('memory stays flat: live heap grows by far less than the output it wrote', () => {
    const outputBytes = fs.statSync(output).size;
    const peak = Math.max(...heap.map((sample) => sample.bytes));
    const growth = peak - baseline;
    const after10k = heap.find((sample) => sample.rows >= 10_000)!.bytes;
    const last = heap[heap.length - 1]!.bytes;
    // Holding the rows would cost at least the output's size; streaming holds a few chunks.
    expect(outputBytes).toBeGreaterThan(100 * 1024 * 1024);
    expect(heap.length).toBeGreaterThanOrEqual(ROWS / 2000);
    expect(growth).toBeLessThan(16 * 1024 * 1024);
    expect(growth).toBeLessThan(outputBytes / 6);
    expect(Math.abs(last - after10k)).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('opentime tokens, small cases', () => {
  const write = (name: string, text: string): string => {
    const file = path.join(environment.dir(), name);
    fs.writeFileSync(file, text);
    return file;
  };

  test('a missing id column is an error that lists the columns, and no output is left behind', async () => {
    const input = write('no-id.csv', 'email,name\na@example.com,A\n');
    const out = path.join(environment.dir(), 'no-id-out.csv');
    await expect(runTokens({ campaign: 'flash-sale', in: input, out }, { env: environment.env(), cwd: ROOT, stderr: textSink() })).rejects.toThrow(
      /No "subscriber_id" column in .*no-id\.csv\. Columns: "email", "name"\. Choose one with --id-column\./,
    );
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
  });

  test('--id-column, --columns token,amp,click and --blocks choose what is added; a BOM and semicolons are handled', async () => {
    const input = write('esp.csv', '\ufeffEmail;Contact ID\nx@example.com;c-1\n');
    const out = path.join(environment.dir(), 'esp-out.csv');
    const { summary } = await runTokens(
      { campaign: 'flash-sale', in: input, out, idColumn: 'Contact ID', columns: ['token', 'amp', 'click'], blocks: ['picks'], delimiter: ';' },
      { env: environment.env(), cwd: ROOT, stderr: textSink() },
    );
    expect(summary.addedColumns).toEqual(['opentime_token', 'opentime_amp_picks', 'opentime_click_picks_0', 'opentime_click_picks_1', 'opentime_click_picks_2', 'opentime_click_picks_3']);
    const [header, row] = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(header).toBe(['Email', 'Contact ID', ...summary.addedColumns].join(';'));
    const fields = row!.split(';');
    expect(fields[3]).toBe(`${BASE}/amp/v1/blocks/picks?t=${fields[2]}`);
    expect(fields[7]).toBe(`${BASE}/c/v1/blocks/picks/3?t=${fields[2]}`);
  });

  test('CRLF exports: skipped rows keep their editor line numbers after a line break inside a quoted cell, blank lines and a stray quote', async () => {
    // Line 3 holds a cell spanning two lines (a CRLF inside quotes); lines 5, 8 and 10 have no id; line 6 is blank; line 9 has a stray quote.
    const text = 'email,subscriber_id\r\na@example.com,sub-a\r\n"two\r\nlines@example.com",sub-b\r\nno-id@example.com,\r\n\r\nc@example.com,sub-c\r\nd@example.com,\r\nbad"quote@example.com,sub-x\r\ne@example.com,\r\n';
    const input = write('crlf.csv', text);
    const out = path.join(environment.dir(), 'crlf-out.csv');
    const { summary } = await runTokens({ campaign: 'flash-sale', in: input, out, columns: ['token'] }, { env: environment.env(), cwd: ROOT, stderr: textSink() });
    expect(summary.skippedRows.map((row) => row.line)).toEqual([5, 8, 9, 10]);
    expect(summary.skippedRows[2]?.reason).toMatch(/quote/i);
    expect(summary.written).toBe(3);
  });

  test('re-running on its own output overwrites the token columns instead of adding them twice; --strict exits 1 on skips', async () => {
    const input = write('again.csv', 'subscriber_id\nsub-a\n\n""\n');
    const once = path.join(environment.dir(), 'again-1.csv');
    const twice = path.join(environment.dir(), 'again-2.csv');
    const first = await runTokens({ campaign: 'flash-sale', in: input, out: once, columns: ['token'], strict: true }, { env: environment.env(), cwd: ROOT, stderr: textSink() });
    expect(first.code).toBe(1);
    expect(first.summary.skippedRows).toEqual([{ line: 4, reason: 'no subscriber id in column "subscriber_id"' }]);
    await runTokens({ campaign: 'spring-sale', in: once, out: twice, columns: ['token'] }, { env: environment.env(), cwd: ROOT, stderr: textSink() });
    const lines = fs.readFileSync(twice, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('subscriber_id,opentime_token');
    const config = loadConfig(environment.env(), ROOT);
    const claims = verifySubscriberToken(keyringFromConfig(config), lines[1]!.split(',')[1], { audience: config.tokenAudience });
    expect(claims).toMatchObject({ subscriberId: 'sub-a', campaignId: 'spring-sale' });
  });

  test('column names and line lists', () => {
    expect(addedColumnNames([{ id: 'flash-countdown', imageFormat: 'gif', slots: 1 }], ['token', 'img'])).toEqual(['opentime_token', 'opentime_img_flash_countdown']);
    expect(formatLineList([3, 17, 18, 19, 42])).toBe('3, 17–19, 42');
  });
});
