import { z } from 'zod';
import { baseBlockSchema } from '../../blocks/block-config';
import { dateTimeFormat } from '../../format/intl-cache';
import { compileRule, type CompiledRule } from '../../rules/rule';
import { withFeedItem, type FeedItemFacts } from '../../rules/facts';
import { DEMO_FEED_PATH } from '../../sources/feed-demo';
import type { FeedItem } from '../../sources/feed-items';
import { sharedFeedSources, type FeedSpec } from '../../sources/feed-sources';
import { HoldBack } from '../hold-back';
import type { AmpListPayload, BlockKind, ResolveContext } from '../kind';
import { drawFeed, feedLayout } from './draw';
import { feedNarrow } from './draw-narrow';
import { feedSamples } from './samples';

/** The most cards a block may show; each is a click slot of its own. */
const MAX_FEED_CARDS = 4;

const feedUrl = z.string().refine((url) => DEMO_FEED_PATH.test(url) || (/^https?:\/\//i.test(url) && URL.canParse(url)), {
  message: 'expected an absolute http(s) URL, e.g. https://blog.shop.example/feed.xml (or this server\'s demo feed, /demo/feeds/journal.xml)',
});

const feedSchema = baseBlockSchema.extend({
  kind: z.literal('feed'),
  feed: z.strictObject({
    url: feedUrl,
    /** Where a plain JSON document keeps its list of items ("data.posts"); JSON Feed, RSS and Atom need none. */
    itemsPath: z
      .string()
      .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'expected dot-separated keys, e.g. "data.posts"')
      .optional(),
  }),
  count: z.number().int().min(1).max(MAX_FEED_CARDS).default(3),
  /** An item is shown only when this rule holds (facts: `item.*` beside the open's); default: every item, in feed order. */
  filter: z.unknown().optional(),
});
export type FeedConfig = z.infer<typeof feedSchema>;

/** One item as its card shows it; every string formatted for the open. */
export interface FeedCardView {
  id: string;
  title: string;
  /** The publication date in the reader's locale and time zone ("3 Dec 2026"); "" when the feed does not date it. */
  date: string;
  /** The item's first category, else its author; "" when it has neither. */
  source: string;
  summary: string;
  /** Absolute http(s) URL of its picture, from the feed; null: none. */
  image: string | null;
  /** Where its card's click goes: the item's own link, from the fetched feed. */
  url: string;
  /** ISO 8601, for an AMP template that wants a machine-readable time. */
  publishedAt: string | null;
}

export interface FeedView {
  kind: 'feed';
  title: string;
  items: FeedCardView[];
  /** "stale": the feed could not be fetched lately and these are the last good items. */
  freshness: 'fresh' | 'stale';
  cta: { label: string; url: string };
}

interface PreparedFeed {
  config: FeedConfig;
  spec: FeedSpec;
  filter: CompiledRule | null;
}

const HOUR_MS = 3_600_000;

function itemFacts(item: FeedItem, position: number, now: Date): FeedItemFacts {
  const published = item.publishedAt ? Date.parse(item.publishedAt) : Number.NaN;
  return {
    title: item.title,
    url: item.url,
    categories: item.categories,
    author: item.author,
    ageHours: Number.isFinite(published) ? Math.floor((now.getTime() - published) / HOUR_MS) : null,
    hasImage: item.image !== null,
    position,
  };
}

/** One item as its card shows it, its date written with `dates` (the open's locale and time zone). */
function card(item: FeedItem, dates: Intl.DateTimeFormat): FeedCardView {
  const date = item.publishedAt ? dates.format(new Date(item.publishedAt)) : '';
  return {
    id: item.id,
    title: item.title,
    date,
    source: item.categories[0] ?? item.author ?? '',
    summary: item.summary,
    image: item.image,
    url: item.url,
    publishedAt: item.publishedAt,
  };
}

/**
 * FEED — the latest items of a JSON Feed, RSS or Atom feed, drawn as cards
 * (README "Blocks"). The feed is fetched on a schedule and at open within
 * the open's wait budget, served stale-while-revalidate, from allowed hosts
 * only (sources/feed-sources.ts); `filter` picks items, `count` caps them.
 * Each card is a click slot to the item's own link, and the picture can be
 * cut into the title band and one part per card, like recommendations.
 */
export const feedKind: BlockKind<'feed', FeedView, FeedConfig, PreparedFeed> = {
  name: 'feed',
  configSchema: feedSchema,
  defaultMessages: { title: 'Latest from our journal', cta: 'Read more' },
  placeholders: { title: [], cta: [] },

  prepare(config: FeedConfig, where: string): PreparedFeed {
    return {
      config,
      spec: { url: config.feed.url, itemsPath: config.feed.itemsPath },
      filter: config.filter === undefined ? null : compileRule(config.filter, `${where}.filter`),
    };
  },

  async resolve({ config, spec, filter }: PreparedFeed, context: ResolveContext): Promise<FeedView> {
    const read = await sharedFeedSources().reader(spec);
    if (!read) throw new HoldBack('the feed has not been fetched, or its last good copy is too old');
    const chosen: FeedItem[] = [];
    for (const [position, item] of read.feed.items.entries()) {
      if (chosen.length >= config.count) break;
      if (!filter || filter(withFeedItem(context.facts, itemFacts(item, position, context.open.now)))) chosen.push(item);
    }
    if (chosen.length === 0) throw new HoldBack('no item of the feed passes the filter', { expected: true });
    // Looked up once per open, not once per card.
    const dates = dateTimeFormat(context.open.locale, 'feed-date', { dateStyle: 'medium', timeZone: context.open.timeZone });
    return {
      kind: 'feed',
      title: context.message('title'),
      items: chosen.map((item) => card(item, dates)),
      freshness: read.freshness,
      cta: { label: context.message('cta'), url: config.defaultUrl },
    };
  },

  toJson(view: FeedView): AmpListPayload {
    return { items: [view] };
  },

  draw: drawFeed,
  theme: { height: 340, fontSizes: { headline: 20, title: 14, body: 12, small: 11 } },
  notShown: ['kind', 'id', 'url', 'image', 'publishedAt', 'freshness'],
  samples: feedSamples,
  // Slot i is the i-th card; its link comes from the fetched feed, never from the request.
  clickSlots: { count: (config) => config.count, max: MAX_FEED_CARDS, urls: (view) => view.items.map((item) => item.url) },
  pictures: (view) => view.items.map((item) => item.image),
  parts: feedLayout,
  narrow: feedNarrow,
};
