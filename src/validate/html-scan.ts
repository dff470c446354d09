/**
 * A small, forgiving HTML scanner for our own template checks: elements with
 * their attributes, nesting and source offsets. It is not a conforming HTML5
 * parser (the official AMP engine is the judge of the markup); it only needs
 * to find amp-list, img, a, map/area and style elements, their attributes and
 * their parents in templates that are well-formed enough to pass that engine.
 */

export interface HtmlAttribute {
  /** Lower-cased. */
  name: string;
  /** Entity-decoded; '' for a bare attribute such as `fallback`. */
  value: string;
  /** Offset of the attribute name in the source. */
  offset: number;
  /** Offset of the raw value (after the opening quote); the name's offset when there is no value. */
  valueOffset: number;
  /** Length of the raw value in the source. */
  rawValueLength: number;
}

export interface HtmlElement {
  /** Lower-cased tag name; '#document' for the root. */
  name: string;
  attributes: HtmlAttribute[];
  /** Offset of the `<` of the start tag. */
  offset: number;
  parent: HtmlElement | null;
  children: HtmlElement[];
  /** For script, style, textarea and title: the raw text inside, and where it starts. */
  text: string | null;
  textOffset: number;
}

export interface ScannedDocument {
  root: HtmlElement;
  /** Every element in document order. */
  elements: HtmlElement[];
  /** 1-based line and column of a source offset. */
  position(offset: number): { line: number; col: number };
}

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const RAW_TEXT_ELEMENTS = new Set(['script', 'style', 'textarea', 'title']);
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

const isNameStart = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z]/.test(ch);
const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r' || ch === '\f';

export function scanHtml(source: string): ScannedDocument {
  const root: HtmlElement = { name: '#document', attributes: [], offset: 0, parent: null, children: [], text: null, textOffset: 0 };
  const elements: HtmlElement[] = [];
  let current = root;
  let i = 0;
  const n = source.length;

  while (i < n) {
    const lt = source.indexOf('<', i);
    if (lt === -1) break;
    i = lt;
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i + 4);
      i = end === -1 ? n : end + 3;
      continue;
    }
    if (source[i + 1] === '!' || source[i + 1] === '?') {
      const end = source.indexOf('>', i);
      i = end === -1 ? n : end + 1;
      continue;
    }
    if (source[i + 1] === '/' && isNameStart(source[i + 2])) {
      const end = source.indexOf('>', i);
      const name = source.slice(i + 2, end === -1 ? n : end).trim().split(/\s/)[0]!.toLowerCase();
      // Close the nearest open element of that name; a stray end tag is ignored.
      for (let open: HtmlElement | null = current; open && open !== root; open = open.parent) {
        if (open.name === name) {
          current = open.parent ?? root;
          break;
        }
      }
      i = end === -1 ? n : end + 1;
      continue;
    }
    if (!isNameStart(source[i + 1])) {
      i += 1;
      continue;
    }

    // A start tag.
    let j = i + 1;
    while (j < n && !isSpace(source[j]) && source[j] !== '>' && source[j] !== '/') j++;
    const element: HtmlElement = {
      name: source.slice(i + 1, j).toLowerCase(),
      attributes: [],
      offset: i,
      parent: current,
      children: [],
      text: null,
      textOffset: 0,
    };
    let selfClosing = false;
    while (j < n) {
      while (j < n && isSpace(source[j])) j++;
      if (source[j] === '>') {
        j++;
        break;
      }
      if (source[j] === '/') {
        selfClosing = source[j + 1] === '>';
        j++;
        continue;
      }
      const nameStart = j;
      while (j < n && !isSpace(source[j]) && source[j] !== '>' && source[j] !== '=' && !(source[j] === '/' && source[j + 1] === '>')) j++;
      const name = source.slice(nameStart, j).toLowerCase();
      let k = j;
      while (k < n && isSpace(source[k])) k++;
      if (source[k] !== '=') {
        element.attributes.push({ name, value: '', offset: nameStart, valueOffset: nameStart, rawValueLength: 0 });
        continue;
      }
      k++;
      while (k < n && isSpace(source[k])) k++;
      let valueStart: number;
      let valueEnd: number;
      const quote = source[k];
      if (quote === '"' || quote === "'") {
        valueStart = k + 1;
        const close = source.indexOf(quote, valueStart);
        valueEnd = close === -1 ? n : close;
        j = close === -1 ? n : close + 1;
      } else {
        valueStart = k;
        while (k < n && !isSpace(source[k]) && source[k] !== '>') k++;
        valueEnd = k;
        j = k;
      }
      element.attributes.push({
        name,
        value: decodeEntities(source.slice(valueStart, valueEnd)),
        offset: nameStart,
        valueOffset: valueStart,
        rawValueLength: valueEnd - valueStart,
      });
    }
    current.children.push(element);
    elements.push(element);
    i = j;

    if (RAW_TEXT_ELEMENTS.has(element.name) && !selfClosing) {
      const closing = new RegExp(`</${element.name}`, 'ig');
      closing.lastIndex = i;
      const close = closing.exec(source)?.index ?? -1;
      const end = close === -1 ? n : close;
      element.text = source.slice(i, end);
      element.textOffset = i;
      const gt = close === -1 ? n : source.indexOf('>', close);
      i = gt === -1 ? n : gt + 1;
    } else if (!VOID_ELEMENTS.has(element.name) && !selfClosing) {
      current = element;
    }
  }

  return { root, elements, position: positionFinder(source) };
}

/** Maps a source offset to its 1-based line and column. */
export function positionFinder(source: string): (offset: number) => { line: number; col: number } {
  const starts = lineStarts(source);
  return (offset: number) => {
    // Binary search for the line holding the offset.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - (starts[lo] as number) + 1 };
  };
}

export function attribute(element: HtmlElement, name: string): HtmlAttribute | undefined {
  return element.attributes.find((candidate) => candidate.name === name);
}

export function hasAttribute(element: HtmlElement, name: string): boolean {
  return attribute(element, name) !== undefined;
}

/** The nearest ancestor (not the element itself) with that tag name. */
export function closest(element: HtmlElement, name: string): HtmlElement | null {
  for (let parent = element.parent; parent; parent = parent.parent) if (parent.name === name) return parent;
  return null;
}
