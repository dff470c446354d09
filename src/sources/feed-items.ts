import { XMLParser } from 'fast-xml-parser';

/**
 * A feed's items in one shape, whatever the feed's format (README "Blocks",
 * `feed`): RSS 2.0 and 1.0, Atom 1.0 (RFC 4287), JSON Feed 1.1
 * (https://www.jsonfeed.org/version/1.1/), or any JSON whose list of items is
 * at a configured path and uses JSON Feed's field names. Everything here is
 * untrusted third-party text: links and pictures must be absolute http(s)
 * URLs, summaries are reduced to plain text, and an item without a title or
 * a link is left out (its card would have nothing to show or nowhere to go).
 */
export interface FeedItem {
  /** The feed's own id (guid, Atom id, JSON Feed id), else the link. */
  id: string;
  title: string;
  /** Where the card's click goes: an absolute http(s) URL from the feed. */
  url: string;
  /** ISO 8601, when the feed dates the item. */
  publishedAt: string | null;
  /** Plain text, whitespace collapsed, at most SUMMARY_MAX characters. */
  summary: string;
  /** The item's picture (enclosure, media:content/thumbnail, JSON Feed image, or the first <img> of its HTML). */
  image: string | null;
  categories: string[];
  author: string | null;
}

export interface ParsedFeed {
  /** The feed's own title ("Our journal"), or "" when it has none. */
  title: string;
  items: FeedItem[];
}

export class FeedFormatError extends Error {
  override name = 'FeedFormatError';
}

/** Longer summaries are cut here: a card shows two or three lines, and the amp-list JSON stays small. */
const SUMMARY_MAX = 280;
/** Items read from one feed at most: a block shows a handful, and rules filter from these. */
const FEED_ITEMS_MAX = 50;

/**
 * Element text as text (numbers and booleans are not guessed), attributes under "@", no
 * namespace stripping (media:content and content:encoded keep their prefixes), HTML entities
 * decoded. Feeds hardly ever declare entities of their own, so DOCTYPE entities are held to a
 * few small ones: a document that expands into megabytes ("billion laughs") is refused.
 */
const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: { enabled: true, maxEntityCount: 20, maxEntitySize: 1000, maxTotalExpansions: 200, maxExpandedLength: 20_000 },
  htmlEntities: true,
  isArray: (name) => ['item', 'entry', 'link', 'category', 'enclosure', 'media:content', 'media:thumbnail'].includes(name),
});

/** Reads a feed's text; `itemsPath` (dot-separated) says where a non-JSON-Feed JSON document keeps its items. */
export function parseFeed(text: string, options: { itemsPath?: string } = {}): ParsedFeed {
  const start = text.trimStart().charAt(0);
  if (start === '{' || start === '[') return parseJsonFeed(text, options.itemsPath);
  if (start === '<') return parseXmlFeed(text);
  throw new FeedFormatError('expected an RSS, Atom or JSON feed; the answer is neither XML nor JSON');
}

function parseXmlFeed(text: string): ParsedFeed {
  let document: Record<string, unknown>;
  try {
    document = xmlParser.parse(text, true) as Record<string, unknown>;
  } catch (error) {
    throw new FeedFormatError(`the feed is not well-formed XML: ${(error as Error).message}`);
  }
  const rss = record(document.rss);
  if (rss) {
    const channel = record(rss.channel) ?? {};
    return { title: textOf(channel.title), items: limit(list(channel.item).map(rssItem)) };
  }
  const rdf = record(document['rdf:RDF']);
  if (rdf) return { title: textOf(record(rdf.channel)?.title), items: limit(list(rdf.item).map(rssItem)) };
  const atom = record(document.feed);
  if (atom) return { title: textOf(atom.title), items: limit(list(atom.entry).map(atomEntry)) };
  throw new FeedFormatError('expected an RSS (<rss>, <rdf:RDF>) or Atom (<feed>) document');
}

function rssItem(node: unknown): FeedItem | null {
  const item = record(node);
  if (!item) return null;
  const link = httpUrl(textOf(list(item.link)[0])) ?? httpUrl(textOf(item.guid));
  const html = textOf(item['content:encoded']) || textOf(item.description);
  const enclosure = list(item.enclosure)
    .map(record)
    .find((entry) => entry && String(entry['@type'] ?? 'image/').startsWith('image/'));
  return feedItem({
    id: textOf(item.guid) || link || '',
    title: textOf(item.title),
    url: link,
    date: textOf(item.pubDate) || textOf(item['dc:date']),
    html,
    image: httpUrl(String(enclosure?.['@url'] ?? '')) ?? mediaImage(item) ?? firstImage(html),
    categories: list(item.category).map(textOf),
    author: textOf(item['dc:creator']) || textOf(item.author),
  });
}

function atomEntry(node: unknown): FeedItem | null {
  const entry = record(node);
  if (!entry) return null;
  const links = list(entry.link).map(record);
  // RFC 4287 §4.2.7.2: a link without rel is "alternate", the entry's own page.
  const alternate = links.find((link) => link && (link['@rel'] ?? 'alternate') === 'alternate');
  const url = httpUrl(String(alternate?.['@href'] ?? ''));
  const html = textOf(entry.summary) || textOf(entry.content);
  const enclosure = links.find((link) => link?.['@rel'] === 'enclosure' && String(link['@type'] ?? '').startsWith('image/'));
  return feedItem({
    id: textOf(entry.id) || url || '',
    title: textOf(entry.title),
    url,
    date: textOf(entry.published) || textOf(entry.updated),
    html,
    image: httpUrl(String(enclosure?.['@href'] ?? '')) ?? mediaImage(entry) ?? firstImage(html),
    categories: list(entry.category).map((category) => String(record(category)?.['@term'] ?? textOf(category))),
    author: textOf(record(entry.author)?.name),
  });
}

function parseJsonFeed(text: string, itemsPath: string | undefined): ParsedFeed {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new FeedFormatError(`the feed is not valid JSON: ${(error as Error).message}`);
  }
  const items = itemsPath ? itemsPath.split('.').reduce<unknown>((value, key) => record(value)?.[key], document) : record(document)?.items;
  if (!Array.isArray(items)) {
    throw new FeedFormatError(itemsPath ? `expected a list of items at "${itemsPath}" in the JSON feed` : 'expected a JSON Feed (an object with an "items" list), or set feed.itemsPath');
  }
  return { title: typeof record(document)?.title === 'string' ? String(record(document)?.title).trim() : '', items: limit(items.map(jsonItem)) };
}

/** JSON Feed 1.1's item fields, with the few other names JSON APIs commonly use for the same things. */
function jsonItem(node: unknown): FeedItem | null {
  const item = record(node);
  if (!item) return null;
  const field = (...names: string[]): string => {
    for (const name of names) if (typeof item[name] === 'string' || typeof item[name] === 'number') return String(item[name]).trim();
    return '';
  };
  const url = httpUrl(field('url', 'external_url', 'link'));
  const html = field('summary', 'content_text', 'content_html', 'description');
  const authors = list(item.authors).map(record);
  const tags = list(item.tags);
  return feedItem({
    id: field('id') || url || '',
    title: field('title'),
    url,
    date: field('date_published', 'date_modified', 'published', 'date'),
    html,
    image: httpUrl(field('image', 'banner_image', 'thumbnail')) ?? firstImage(field('content_html')),
    categories: tags.filter((tag): tag is string => typeof tag === 'string'),
    author: authors[0] && typeof authors[0].name === 'string' ? authors[0].name : field('author'),
  });
}

function feedItem(raw: { id: string; title: string; url: string | null; date: string; html: string; image: string | null; categories: string[]; author: string }): FeedItem | null {
  const title = plainText(raw.title);
  if (!title || !raw.url) return null;
  const time = raw.date ? Date.parse(raw.date) : Number.NaN;
  return {
    id: raw.id.slice(0, 500),
    title: cut(title, 200),
    url: raw.url,
    publishedAt: Number.isFinite(time) ? new Date(time).toISOString() : null,
    summary: cut(plainText(raw.html), SUMMARY_MAX),
    image: raw.image,
    categories: raw.categories.map((category) => category.trim()).filter(Boolean).slice(0, 20),
    author: raw.author ? cut(plainText(raw.author), 100) : null,
  };
}

/** Media RSS (https://www.rssboard.org/media-rss): the first image content, else the first thumbnail. */
function mediaImage(node: Record<string, unknown>): string | null {
  const content = list(node['media:content'])
    .map(record)
    .find((entry) => entry && (String(entry['@medium'] ?? '') === 'image' || String(entry['@type'] ?? '').startsWith('image/')));
  const thumbnail = record(list(node['media:thumbnail'])[0]);
  return httpUrl(String(content?.['@url'] ?? '')) ?? httpUrl(String(thumbnail?.['@url'] ?? ''));
}

function firstImage(html: string): string | null {
  const match = /<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/i.exec(html);
  return match ? httpUrl(decodeEntities(match[1] as string)) : null;
}

/** An absolute http(s) URL without credentials, or null: nothing else may become a click target or a fetched picture. */
function httpUrl(value: string): string | null {
  const text = value.trim();
  if (!text) return null;
  try {
    const url = new URL(text);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return null;
    return url.href;
  } catch {
    return null;
  }
}

/** HTML reduced to its text: tags (and script/style content) dropped, entities decoded, whitespace collapsed. */
function plainText(html: string): string {
  const withoutTags = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<br\s*\/?>|<\/p>/gi, ' ')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(withoutTags).replace(/\s+/g, ' ').trim();
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', mdash: '—', ndash: '–', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Cut at a word boundary with an ellipsis, so a card never shows half a word. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const slice = text.slice(0, max - 1);
  const space = slice.lastIndexOf(' ');
  return `${(space > max / 2 ? slice.slice(0, space) : slice).trimEnd()}…`;
}

function limit(items: (FeedItem | null)[]): FeedItem[] {
  return items.filter((item): item is FeedItem => item !== null).slice(0, FEED_ITEMS_MAX);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** An element's text: a string, or the "#text" of an element with attributes. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  const node = record(value);
  return node && typeof node['#text'] === 'string' ? node['#text'].trim() : '';
}
