import { CsvTokenizer, type CsvRecord } from '../src/data/ingest-csv';
import { JsonArraySplitter, type JsonArrayElement } from '../src/data/ingest-json-array';

/** Every way of cutting the text in two must give the same records as one piece (streams cut anywhere). */
function everySplit<T>(text: string, run: (chunks: string[]) => T): T {
  const whole = run([text]);
  for (let cut = 0; cut <= text.length; cut++) expect(run([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
  return whole;
}

function csv(chunks: string[]): CsvRecord[] {
  const tokenizer = new CsvTokenizer();
  const out: CsvRecord[] = [];
  for (const chunk of chunks) tokenizer.push(chunk, out);
  tokenizer.end(out);
  return out;
}

function jsonElements(wrapperKey: string | null, chunks: string[]): { elements: JsonArrayElement[]; found: boolean; closed: boolean } {
  const splitter = new JsonArraySplitter(wrapperKey);
  const elements: JsonArrayElement[] = [];
  for (const chunk of chunks) splitter.push(chunk, elements);
  return { elements, ...splitter.end(elements) };
}

describe('CSV tokenizer', () => {
  test('RFC 4180: quotes, "" escapes, commas and line breaks inside quotes, CRLF, blank lines, BOM', () => {
    const text = '\uFEFFid,name,note\r\n1,"Coat, Wool","He said ""warm"""\r\n\r\n2,"two\nlines",\n3,plain,last';
    expect(everySplit(text, csv)).toEqual([
      { cells: ['id', 'name', 'note'], line: 1 },
      { cells: ['1', 'Coat, Wool', 'He said "warm"'], line: 2 },
      { cells: ['2', 'two\nlines', ''], line: 4 },
      { cells: ['3', 'plain', 'last'], line: 6 },
    ]);
  });

  test('text after a closing quote marks the record malformed; the next record is unaffected', () => {
    expect(everySplit('a,"b"x,c\nd,e,f\n', csv)).toEqual([
      { cells: ['a', 'bx', 'c'], line: 1, problem: 'unexpected text after a closing quote on line 1' },
      { cells: ['d', 'e', 'f'], line: 2 },
    ]);
  });

  test('an unterminated quote is reported at the record it opened in', () => {
    expect(csv(['a,b\n1,"never closed\n2,x\n'])).toEqual([
      { cells: ['a', 'b'], line: 1 },
      { cells: ['1', 'never closed\n2,x\n'], line: 2, problem: 'a quoted field opened on or after line 2 is never closed' },
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
