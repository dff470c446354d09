/**
 * The live feed kind (README "Blocks", feed): a feed read in any of its
 * formats, fetched fresh, served stale while it fails, refused when oversized
 * or from a host that is not allowed, and drawn as cards whose links are the
 * feed's own. Time moves only when a test says so (ManualClock).
 */
import fs from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseBlocksConfig } from '../../src/blocks/blocks-config';
import { resolveBlock } from '../../src/blocks/resolve-block';
import { ConfigError } from '../../src/config';
import { isViewOf } from '../../src/kinds/kind-of-view';
import { blockKinds } from '../../src/kinds/registry';
import { buildOpen } from '../../src/open/open';
import { checkFeedHosts } from '../../src/sources/feed-blocks';
import { FeedFormatError, parseFeed } from '../../src/sources/feed-items';
import { closeSharedFeedSources, configureSharedFeedSources, FeedSources, type FeedSourcesOptions } from '../../src/sources/feed-sources';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import { ManualClock } from '../helpers/manual-clock';
import request from 'supertest';
import { systemFeedClock } from '../../src/sources/feed-source';
import { createImageApp, getBytes, NOW as APP_NOW, PUBLIC_URL, type ImageApp } from '../helpers/image-app';

const JOURNAL_XML = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'feed-journal.xml'), 'utf8');
const NOW = Date.parse('2026-11-22T10:00:00.000Z');
const MINUTE = 60_000;

describe('reading a feed', () => {
  test('RSS: items with their links, dates, categories and pictures; HTML reduced to text; a javascript: link left out', () => {
    const feed = parseFeed(JOURNAL_XML);
    expect(feed.title).toBe('Shop journal');
    expect(feed.items.map((item) => item.title)).toEqual(['How to layer & stay warm', 'Winter market at our store', 'Caring for cashmere']);
    expect(feed.items[0]).toEqual({
      id: 'post-101',
      title: 'How to layer & stay warm',
      url: 'https://shop.example/journal/layering',
      publishedAt: '2026-11-21T14:00:00.000Z',
      summary: 'Three layers, no bulk.',
      image: 'https://cdn.shop.example/layering.jpg',
      categories: ['Style notes'],
      author: null,
    });
    expect(feed.items[1]?.image).toBe('https://cdn.shop.example/market.png');
    // No picture of its own: the first <img> of its HTML.
    expect(feed.items[2]?.image).toBe('https://cdn.shop.example/cashmere.jpg');
    expect(feed.items[2]?.publishedAt).toBeNull();
  });

  test('Atom: the alternate link, the published date, category terms and the author', () => {
    const feed = parseFeed(`<?xml version="1.0"?>
      <feed xmlns="http://www.w3.org/2005/Atom"><title type="text">Scores</title>
        <entry><title>Home 2 – 1 Away</title><id>urn:match:7</id>
          <link rel="self" href="https://api.example/7"/><link href="https://scores.example/7"/>
          <published>2026-11-21T19:45:00+01:00</published><category term="Football"/>
          <author><name>Desk</name></author><summary type="html">&lt;p&gt;Late winner.&lt;/p&gt;</summary></entry>
      </feed>`);
    expect(feed.items).toEqual([
      { id: 'urn:match:7', title: 'Home 2 – 1 Away', url: 'https://scores.example/7', publishedAt: '2026-11-21T18:45:00.000Z', summary: 'Late winner.', image: null, categories: ['Football'], author: 'Desk' },
    ]);
  });

  test('JSON Feed 1.1, and plain JSON with its items at a configured path', () => {
    const jsonFeed = parseFeed(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'Drops',
        items: [{ id: '1', url: 'https://shop.example/drops/1', title: 'Sneaker drop', content_text: 'Friday 10:00.', image: 'https://cdn.shop.example/1.png', date_published: '2026-11-20T10:00:00Z', tags: ['Drops'], authors: [{ name: 'Ana' }] }],
      }),
    );
    expect(jsonFeed.items[0]).toMatchObject({ title: 'Sneaker drop', summary: 'Friday 10:00.', image: 'https://cdn.shop.example/1.png', categories: ['Drops'], author: 'Ana' });
    const plain = parseFeed(JSON.stringify({ data: { posts: [{ title: 'Hello', link: 'https://blog.example/hello', description: 'First post' }] } }), { itemsPath: 'data.posts' });
    expect(plain.items.map((item) => [item.title, item.url, item.summary])).toEqual([['Hello', 'https://blog.example/hello', 'First post']]);
  });

  test('an entity bomb ("billion laughs") is not expanded', () => {
    const entities = ['<!ENTITY a "aaaaaaaaaa">', ...[1, 2, 3, 4, 5, 6].map((level) => `<!ENTITY ${'a'.repeat(level + 1)} "${`&${'a'.repeat(level)};`.repeat(10)}">`)].join('');
    const feed = parseFeed(`<?xml version="1.0"?><!DOCTYPE rss [${entities}]><rss><channel><item><title>&aaaaaaa;</title><link>https://a.example/</link></item></channel></rss>`);
    expect(feed.items[0]?.title.length).toBeLessThan(200);
  });

  test('what is not a feed says what was expected', () => {
    expect(() => parseFeed('hello')).toThrow(new FeedFormatError('expected an RSS, Atom or JSON feed; the answer is neither XML nor JSON'));
    expect(() => parseFeed('<html><body>Not found</body></html>')).toThrow('expected an RSS (<rss>, <rdf:RDF>) or Atom (<feed>) document');
    expect(() => parseFeed('{"posts": []}')).toThrow('expected a JSON Feed (an object with an "items" list), or set feed.itemsPath');
  });
});

/** A feed host on loopback whose answer each test sets; counts the requests it gets. */
class FeedHost {
  requests = 0;
  answer: (res: ServerResponse) => void = (res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(JOURNAL_XML);
  private constructor(private readonly server: Server) {}

  static async start(): Promise<FeedHost> {
    let host: FeedHost | undefined;
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      (host as FeedHost).requests++;
      (host as FeedHost).answer(res);
    });
    host = new FeedHost(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return host;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/feed.xml`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('fetching a feed', () => {
  let host: FeedHost;
  let clock: ManualClock;
  let feeds: FeedSources;
  const start = (options: Partial<FeedSourcesOptions> = {}): FeedSources =>
    new FeedSources({ allowedHosts: ['127.0.0.1'], allowPrivateAddresses: true, refreshMs: 5 * MINUTE, staleMs: 60 * MINUTE, clock, ...options });

  beforeEach(async () => {
    host = await FeedHost.start();
    clock = ManualClock.install(NOW);
  });
  afterEach(async () => {
    feeds?.close();
    clock.uninstall();
    await host.close();
  });

  test('fresh: the first open fetches, the next ones within the refresh interval are served without asking again', async () => {
    feeds = start();
    const first = await feeds.reader({ url: host.url });
    expect(first?.freshness).toBe('fresh');
    expect(first?.feed.items).toHaveLength(3);
    clock.advance(4 * MINUTE);
    expect((await feeds.reader({ url: host.url }))?.freshness).toBe('fresh');
    expect(host.requests).toBe(1);
    // On GET /metrics beside the pull sources: one read waited for the fetch, one was served from memory.
    expect(Object.keys(feeds.metrics())).toEqual([`feed:${new URL(host.url).host}`]);
    expect(Object.values(feeds.metrics())[0]?.()).toEqual({ live: 1, cached: 1, stale: 0, unavailable: 0, failures: 0, rejectedByBreaker: 0, breaker: 'closed' });
  });

  test('refreshed on a schedule while it is read, so a changed feed shows without an open waiting for it', async () => {
    feeds = start();
    await feeds.reader({ url: host.url });
    host.answer = (res) => res.writeHead(200).end(JOURNAL_XML.replace('How to layer &amp; stay warm', 'Updated post'));
    clock.advance(5 * MINUTE);
    await feeds.idle();
    expect(host.requests).toBe(2);
    const read = await feeds.reader({ url: host.url });
    expect(read?.freshness).toBe('fresh');
    expect(read?.feed.items[0]?.title).toBe('Updated post');
  });

  test('stale: while the feed fails, the last good items are served at once, and opens try again behind them at most every 30 s', async () => {
    feeds = start();
    await feeds.reader({ url: host.url });
    host.answer = (res) => res.writeHead(503).end('down');
    clock.advance(5 * MINUTE);
    await feeds.idle();
    // The scheduled refetch failed just now: this open is answered from the last good items and asks nobody.
    const stale = await feeds.reader({ url: host.url });
    expect(stale?.freshness).toBe('stale');
    expect(stale?.feed.items[0]?.title).toBe('How to layer & stay warm');
    await feeds.idle();
    expect(host.requests).toBe(2);
    clock.advance(30_000);
    expect((await feeds.reader({ url: host.url }))?.freshness).toBe('stale');
    await feeds.idle();
    expect(host.requests).toBe(3);
    // Past staleMs nothing is served: the block shows its fallback.
    clock.advance(60 * MINUTE);
    await feeds.idle();
    expect(await feeds.reader({ url: host.url })).toBeUndefined();
  });

  test('oversized: an answer over the size limit is cut off and refused, declared or streamed', async () => {
    feeds = start({ maxBytes: 2048, openWaitMs: 1000 });
    const big = JOURNAL_XML.replace('</channel>', `${'<item><title>x</title><link>https://shop.example/x</link></item>'.repeat(100)}</channel>`);
    host.answer = (res) => res.writeHead(200, { 'content-length': Buffer.byteLength(big) }).end(big);
    expect(await feeds.reader({ url: host.url })).toBeUndefined();
    host.answer = (res) => {
      res.writeHead(200);
      res.write(big.slice(0, 1500));
      res.end(big.slice(1500));
    };
    const other = { url: `${host.url}?streamed` };
    expect(await feeds.reader(other)).toBeUndefined();
    expect(feeds.stats().map((stats) => stats.failures)).toEqual([1, 1]);
  });

  test('a host not on the allowlist, or a name that resolves to a private address, is never asked', async () => {
    feeds = start({ allowedHosts: ['feeds.shop.example'] });
    expect(await feeds.reader({ url: host.url })).toBeUndefined();
    feeds.close();
    // localhost is allowed by name, but it resolves to loopback and private addresses are not allowed.
    feeds = start({ allowedHosts: ['localhost'], allowPrivateAddresses: false });
    expect(await feeds.reader({ url: host.url.replace('127.0.0.1', 'localhost') })).toBeUndefined();
    expect(host.requests).toBe(0);
  });
});

describe('the feed block', () => {
  const BLOCKS = (url: string): string => `blocks:
  - id: journal
    kind: feed
    feed: { url: "${url}" }
    count: 2
    filter: { "!": { "in": ["Store events", { "var": "item.categories" }] } }
    defaultUrl: https://shop.example/journal
    messages: { title: "From our journal" }
    translations: { de: { title: "Aus unserem Journal", cta: "Zum Journal" } }
`;
  let host: FeedHost;
  const storage = openSqliteStorage(':memory:');

  beforeAll(async () => {
    host = await FeedHost.start();
  });
  afterEach(() => closeSharedFeedSources());
  afterAll(async () => {
    await host.close();
    await storage.close();
  });

  async function resolveFor(locale: string, timeZone: string) {
    const block = parseBlocksConfig(BLOCKS(host.url), 'blocks.yaml').get('journal');
    if (!block) throw new Error('no journal block');
    const open = buildOpen({ now: new Date(NOW), subscriber: null, campaign: null, client: 'amp', defaultLocale: locale, defaultTimeZone: timeZone });
    return resolveBlock(block, open, storage.catalogue);
  }

  test('cards of the items the filter keeps, dated in the reader\'s locale and zone, each linking to its own item', async () => {
    // Fetched before the open, as at start-up, so the open does not depend on how fast loopback answers.
    await configureSharedFeedSources({ allowedHosts: ['127.0.0.1'], allowPrivateAddresses: true }).prefetch([{ url: host.url }]);
    const resolution = await resolveFor('de-DE', 'Pacific/Auckland');
    if (resolution.outcome !== 'view' || !isViewOf(resolution.view, 'feed')) throw new Error(`expected a feed view, got ${JSON.stringify(resolution)}`);
    const view = resolution.view;
    expect(view.title).toBe('Aus unserem Journal');
    expect(view.cta).toEqual({ label: 'Zum Journal', url: 'https://shop.example/journal' });
    // 21 Nov 14:00 UTC is already the 22nd in Auckland; the store event is filtered out; count caps at 2.
    expect(view.items.map((item) => [item.title, item.date, item.source])).toEqual([
      ['How to layer & stay warm', '22.11.2026', 'Style notes'],
      ['Caring for cashmere', '', ''],
    ]);
    expect(blockKinds.feed.clickSlots.urls(view)).toEqual(['https://shop.example/journal/layering', 'https://shop.example/journal/cashmere']);
    expect(blockKinds.feed.toJson(view).items).toEqual([view]);
  });

  test('a feed that cannot be read shows the block\'s fallback', async () => {
    configureSharedFeedSources({ allowedHosts: ['feeds.shop.example'] });
    const resolution = await resolveFor('en-US', 'UTC');
    expect(resolution).toMatchObject({ outcome: 'fallback', reason: 'data_missing' });
  });

  test('a feed URL whose host is not allowed stops start-up, naming the file, the block, the path and what was expected', () => {
    const catalog = parseBlocksConfig(`blocks:
  - { id: demo, kind: feed, feed: { url: /demo/feeds/journal.xml }, defaultUrl: "https://shop.example/" }
  - { id: news, kind: feed, feed: { url: "https://news.example/rss" }, defaultUrl: "https://shop.example/" }
`, 'blocks.yaml');
    const check = (): void => checkFeedHosts(catalog, 'blocks.yaml', { allowedHosts: ['cdn.shop.example'], allowPrivateAddresses: false });
    expect(check).toThrow(ConfigError);
    expect(check).toThrow(
      'blocks.yaml: blocks[1] (id "news").feed.url: host news.example is not on the host allowlist (OPENTIME_IMAGE_HOSTS); expected a feed on an allowed host (add its host to OPENTIME_IMAGE_HOSTS, e.g. "news.example")',
    );
    expect(() => checkFeedHosts(catalog, 'blocks.yaml', { allowedHosts: ['news.example'], allowPrivateAddresses: false })).not.toThrow();
  });

  test('a feed URL that is not http(s) is refused by the blocks config', () => {
    expect(() => parseBlocksConfig(BLOCKS('ftp://feeds.example/rss'), 'blocks.yaml')).toThrow(/blocks\.yaml: blocks\[0\] \(id "journal"\)\.feed\.url: .*expected an absolute http\(s\) URL/);
  });
});

describe('the demo journal block, end to end', () => {
  let fx: ImageApp;
  beforeAll(async () => {
    fx = await createImageApp();
    // The demo feed dated from the app's moment, its pictures under the app's public URL, fetched as at start-up.
    const feeds = configureSharedFeedSources({ allowedHosts: [], publicUrl: PUBLIC_URL, clock: { now: () => APP_NOW.getTime(), after: systemFeedClock.after } });
    await feeds.prefetch([{ url: '/demo/feeds/journal.xml' }]);
  });
  afterAll(async () => {
    closeSharedFeedSources();
    await fx.close();
  });

  test('the JSON, the picture and the clicks show the same items, and each card opens its own item', async () => {
    const token = fx.token('sub-emma');
    const json = await request(fx.app).get(`/amp/v1/blocks/journal?t=${token}`).set('AMP-Email-Sender', 'news@shop.example');
    expect(json.status).toBe(200);
    const view = json.body.items[0];
    // The store event is filtered out by the demo block's rule.
    expect(view.items.map((item: { title: string; date: string }) => [item.title, item.date])).toEqual([
      ['How to layer for a northern winter', 'Nov 21, 2026'],
      ['Caring for cashmere & merino', 'Nov 19, 2026'],
      ['Behind the Chelsea boot', 'Nov 16, 2026'],
    ]);
    const picture = await getBytes(fx.app, `/img/v1/blocks/journal.png?t=${token}`);
    expect(picture.status).toBe(200);
    expect(picture.headers['x-opentime-outcome']).toBe('view');
    const drawn = fx.draws.at(-1)?.view as { items?: { url: string }[] } | undefined;
    expect(drawn?.items?.map((item) => item.url)).toEqual(view.items.map((item: { url: string }) => item.url));
    const click = await request(fx.app).get(`/c/v1/blocks/journal/1?t=${token}`);
    expect([click.status, click.headers.location]).toEqual([302, 'https://shop.example/journal/caring-for-cashmere']);
    // A slot the picture does not have goes to the block's own link, never anywhere the request names.
    const beyond = await request(fx.app).get(`/c/v1/blocks/journal/3?t=${token}&url=https://evil.example/`);
    expect([beyond.status, beyond.headers.location]).toEqual([302, 'https://shop.example/journal']);
  });

  test('the demo serves its feed as RSS, which the feed reader reads', async () => {
    const res = await request(fx.app).get('/demo/feeds/journal.xml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/rss\+xml/);
    expect(parseFeed(res.text).items.map((item) => item.categories[0])).toEqual(['Style notes', 'Care guide', 'Made well', 'Store events']);
    expect((await request(fx.app).get('/demo/feeds/nope.xml')).status).toBe(404);
  });
});
