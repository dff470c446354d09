/**
 * Streams the records of a JSON feed without holding the file: a top-level
 * array `[{…}, {…}]`, or the API's body shape `{"products": [{…}, …]}`. It
 * only finds where each record's text starts and ends (tracking strings and
 * nesting) and hands that text to JSON.parse, so a malformed record is
 * reported with its line and the import goes on.
 *
 * Why not stream-json (1.9): it builds every value token by token in JS.
 * Measured with the `scripts/bench-ingest.ts` feed of 200,000 products on this
 * machine (2 shared cores), same session:
 *  - reading alone: stream-json with its fast options (`parser({ packValues:
 *    true, streamValues: false })` → `streamArray()`) 3.8 s, about 52,000
 *    rows/s; with its defaults 9.9 s; this splitter + JSON.parse 0.8 s.
 *  - the whole import, update pass (the slowest): stream-json 18,400–19,500
 *    rows/s, under the 20,000 rows/s `opentime import` must reach; this
 *    splitter 27,900–29,600 rows/s.
 * stream-json also gives no line numbers, and a malformed record ends its
 * parse, where this one reports the record by line and goes on.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LF = 0x0a;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === LF || c === 0x0d || c === 0x09;
}

export interface JsonArrayElement {
  /** The element's JSON text. */
  text: string;
  /** 1-based line the element starts on. */
  line: number;
}

export class JsonArraySplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private line = 1;
  /** The nesting depth of the records' array once found (its elements sit at this depth); -1 before. */
  private arrayDepth = -1;
  private arrayClosed = false;
  private element: string | null = null;
  private elementStart = 0;
  private elementLine = 0;
  /** Inside the top-level object (wrapped form): are we before a key, and which key was last read. */
  private expectingKey = false;
  private key: string | null = null;
  private keyText: string | null = null;
  private keyStart = 0;
  private started = false;

  /** @param wrapperKey null: the document is the array; else the array is this key's value in a top-level object. */
  constructor(private readonly wrapperKey: string | null) {}

  push(chunk: string, out: JsonArrayElement[]): void {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.element !== null) this.elementStart = 0;
    if (this.keyText !== null) this.keyStart = 0;
    for (let i = 0; i < text.length && !this.arrayClosed; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.keyText !== null) {
            this.key = JSON.parse(`"${this.keyText}${text.slice(this.keyStart, i)}"`) as string;
            this.keyText = null;
          }
        }
        continue;
      }
      if (c === LF) this.line++;
      if (isWhitespace(c)) continue;
      const atElementLevel = this.depth === this.arrayDepth;
      if (atElementLevel && this.element === null && c !== COMMA && c !== CLOSE_BRACKET) {
        this.element = '';
        this.elementStart = i;
        this.elementLine = this.line;
      }
      switch (c) {
        case QUOTE:
          this.inString = true;
          if (this.depth === 1 && this.wrapperKey !== null && this.arrayDepth < 0 && this.expectingKey) {
            this.keyText = '';
            this.keyStart = i + 1;
          }
          break;
        case OPEN_BRACKET:
        case OPEN_BRACE:
          if (c === OPEN_BRACKET && this.arrayDepth < 0 && this.opensRecordsArray()) this.arrayDepth = this.depth + 1;
          this.depth++;
          if (c === OPEN_BRACE && this.depth === 1 && this.wrapperKey !== null) this.expectingKey = true;
          break;
        case CLOSE_BRACKET:
        case CLOSE_BRACE:
          if (c === CLOSE_BRACKET && atElementLevel) {
            this.finishElement(text, i, out);
            this.arrayClosed = true;
          }
          this.depth--;
          break;
        case COMMA:
          if (atElementLevel) this.finishElement(text, i, out);
          if (this.depth === 1 && this.wrapperKey !== null) this.expectingKey = true;
          break;
        case COLON:
          if (this.depth === 1) this.expectingKey = false;
          break;
      }
    }
    if (this.element !== null) this.element += text.slice(this.elementStart);
    if (this.keyText !== null) this.keyText += text.slice(this.keyStart);
  }

  /** What the whole document turned out to be; call after the last chunk. */
  end(out: JsonArrayElement[]): { found: boolean; closed: boolean } {
    if (this.element !== null && this.element.trim() !== '') out.push({ text: this.element, line: this.elementLine });
    this.element = null;
    return { found: this.arrayDepth >= 0, closed: this.arrayClosed };
  }

  private opensRecordsArray(): boolean {
    if (this.wrapperKey === null) return this.depth === 0;
    return this.depth === 1 && !this.expectingKey && this.key === this.wrapperKey;
  }

  private finishElement(text: string, end: number, out: JsonArrayElement[]): void {
    if (this.element === null) return;
    out.push({ text: this.element + text.slice(this.elementStart, end), line: this.elementLine });
    this.element = null;
  }
}
