import { Readable } from 'node:stream';
import { readCsvRecords, type CsvRecord } from '../src/data/ingest-feed-readers';
import { JsonArraySplitter, type JsonArrayElement } from '../src/data/ingest-json-array';

/** Every way of cutting the text in two must give the same records as one piece (streams cut anywhere). */
function everySplit<T>(text: string, run: (chunks: string[]) => T): T {
  const whole = run([text]);
  for (let cut = 0; cut <= text.length; cut++) expect(run([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
  return whole;
}

/** The same for bytes, cut anywhere (inside the BOM, a CRLF, a multi-byte character): csv-parse reads bytes. */
async function everyByteSplit<T>(text: string, run: (chunks: Buffer[]) => Promise<T>): Promise<T> {
  const bytes = Buffer.from(text);
  const whole = await run([bytes]);
  for (let cut = 0; cut <= bytes.length; cut++) expect(await run([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(whole);
  return whole;
}

/** Our reader on csv-parse, fed chunks as a file stream would. */
async function csv(chunks: Buffer[]): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const record of readCsvRecords(Readable.from(chunks))) records.push(record);
  return records;
}

function jsonElements(wrapperKey: string | null, chunks: string[]): { elements: JsonArrayElement[]; found: boolean; closed: boolean } {
  const splitter = new JsonArraySplitter(wrapperKey);
  const elements: JsonArrayElement[] = [];
  for (const chunk of chunks) splitter.push(chunk, elements);
  return { elements, ...splitter.end(elements) };
}

describe('CSV records: csv-parse, with the line each record starts on', () => {
  test('RFC 4180: quotes, "" escapes, commas and line breaks inside quotes, CRLF and LF mixed, blank lines, BOM, UTF-8', async () => {
    const text = '\uFEFFid,name,note\r\n1,"Café, €5","He said ""warm"""\r\n\r\n2,"two\nlines",\n""\n3,plain,last';
    expect(await everyByteSplit(text, csv)).toEqual([
      { line: 1, cells: ['id', 'name', 'note'] },
      { line: 2, cells: ['1', 'Café, €5', 'He said "warm"'] },
      { line: 4, cells: ['2', 'two\nlines', ''] },
      { line: 7, cells: ['3', 'plain', 'last'] },
    ]);
  });

  test('a CRLF inside a quoted field is one line break: later line numbers stay right', async () => {
    expect(await everyByteSplit('id,note\r\n1,"a\r\nb\r\nc"\r\n2,x\r\n', csv)).toEqual([
      { line: 1, cells: ['id', 'note'] },
      { line: 2, cells: ['1', 'a\r\nb\r\nc'] },
      { line: 5, cells: ['2', 'x'] },
    ]);
  });

  test('text after a closing quote: the record is reported by its line, the next one is read', async () => {
    expect(await everyByteSplit('id,name\n1,"Coat "Wool" x"\n2,"Shirt"\n', csv)).toEqual([
      { line: 1, cells: ['id', 'name'] },
      { line: 2, lastLine: 2, problem: 'unexpected text after a closing quote' },
      { line: 3, cells: ['2', 'Shirt'] },
    ]);
  });

  test('quotes that do not balance: csv-parse reads on until they do, and every line it swallows is named', async () => {
    expect(await everyByteSplit('a,"b"x,c\r\nd,e,f\r\ng,"h",i\r\nj,k,l\r\n', csv)).toEqual([
      { line: 1, lastLine: 3, problem: 'unexpected text after a closing quote, so lines 1–3 could not be read' },
      { line: 4, cells: ['j', 'k', 'l'] },
    ]);
  });

  test('a quote inside an unquoted field is reported; the next record is read', async () => {
    const [, bad, next] = await everyByteSplit('a,b\n1,12" screen\n2,x\n', csv);
    expect(bad).toEqual({ line: 2, lastLine: 2, problem: expect.stringMatching(/^a quote inside an unquoted field/) });
    expect(next).toEqual({ line: 3, cells: ['2', 'x'] });
  });

  test('an unterminated quote is reported at the record it opened in, up to the end of the file', async () => {
    expect(await everyByteSplit('a,b\n1,"never closed\n2,x\n', csv)).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, lastLine: 3, problem: 'a quoted field is never closed, so lines 2–3 could not be read' },
    ]);
  });
});

describe('JSON array splitter', () => {
  test('a top-level array: each element with the line it starts on, whatever the chunking', () => {
    const text = '[\n  {"id": "a", "name": "x, [y] {z} \\"q\\""},\n  {"id": "b",\n   "tags": [1, {"n": 2}]}, 3, "s", null\n]\n';
    const { elements, found, closed } = everySplit(text, (chunks) => jsonElements(null, chunks));
    expect(found && closed).toBe(true);
    expect(elements.map((element) => [JSON.parse(element.text), element.line])).toEqual([
      [{ id: 'a', name: 'x, [y] {z} "q"' }, 2],
      [{ id: 'b', tags: [1, { n: 2 }] }, 3],
      [3, 4],
      ['s', 4],
      [null, 4],
    ]);
  });

  test('the API body shape: only the named key\'s array, other keys skipped whatever they hold', () => {
    const text = '{"meta": {"products": [9], "s": "products"}, "note": "[\\"products\\"]", "products": [{"id": "a"}, {"id": "b"}], "after": [1]}';
    const { elements, found, closed } = everySplit(text, (chunks) => jsonElements('products', chunks));
    expect(found && closed).toBe(true);
    expect(elements.map((element) => JSON.parse(element.text))).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  test('a malformed element is passed on as text (JSON.parse reports it); a truncated file is detected', () => {
    const { elements, closed } = jsonElements(null, ['[{"id": "a"}, {"id": }, {"id": "c"']);
    expect(elements.map((element) => element.text)).toEqual(['{"id": "a"}', ' {"id": }'.trim(), '{"id": "c"']);
    expect(closed).toBe(false);
    expect(jsonElements('products', ['{"items": [1]}']).found).toBe(false);
  });
});
