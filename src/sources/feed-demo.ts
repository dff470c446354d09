/**
 * The demo's own feed, "From our journal": an RSS 2.0 document this server
 * serves at /demo/feeds/journal.xml (http/demo-assets.ts) and reads
 * in-process when a block's feed URL is that path (sources/feed-sources.ts),
 * so the demo's feed block works offline and needs no host on the allowlist.
 * Its pictures are the demo catalogue's (/demo/products/:id.png), its links
 * point at the demo shop, and its dates are relative to `now`, so the
 * journal always looks current.
 */

/** Paths of this server's demo feeds, by the name in /demo/feeds/:name. */
export const DEMO_FEED_PATH = /^\/demo\/feeds\/([a-z0-9-]{1,60})\.xml$/;

const HOUR = 3_600_000;

const JOURNAL: readonly { slug: string; title: string; summary: string; picture: string; hoursAgo: number; category: string; author: string }[] = [
  {
    slug: 'layering-for-winter',
    title: 'How to layer for a northern winter',
    summary: 'Three layers, no bulk: a merino base, a quilted mid-layer and a shell that blocks the wind. Our stylists show how.',
    picture: 'quilted-jacket-olive',
    hoursAgo: 20,
    category: 'Style notes',
    author: 'Ingrid Holm',
  },
  {
    slug: 'caring-for-cashmere',
    title: 'Caring for cashmere & merino',
    summary: 'Wash cold, dry flat, fold – never hang. Five habits that keep knitwear soft for years.',
    picture: 'cashmere-turtleneck-oat',
    hoursAgo: 3 * 24 + 5,
    category: 'Care guide',
    author: 'Tomás Rey',
  },
  {
    slug: 'behind-the-boot',
    title: 'Behind the Chelsea boot',
    summary: 'From the tannery in Tuscany to your door: how one pair is cut, stitched and finished by hand.',
    picture: 'chelsea-boot-brown',
    hoursAgo: 6 * 24 + 2,
    category: 'Made well',
    author: 'Ingrid Holm',
  },
  {
    slug: 'winter-market',
    title: 'Winter market at our Copenhagen store',
    summary: 'Mulled wine, local makers and late opening every Thursday in December. Everyone is welcome.',
    picture: 'scented-candle-fig',
    hoursAgo: 9 * 24,
    category: 'Store events',
    author: 'The store team',
  },
];

/** The demo feed `name` as RSS text, or undefined when there is none by that name. */
export function demoFeedXml(name: string, baseUrl: string, now: Date): string | undefined {
  if (name !== 'journal') return undefined;
  const base = baseUrl.replace(/\/+$/, '');
  const items = JOURNAL.map((entry) => {
    const link = `https://shop.example/journal/${entry.slug}`;
    return [
      '    <item>',
      `      <title>${escapeXml(entry.title)}</title>`,
      `      <link>${link}</link>`,
      `      <guid isPermaLink="true">${link}</guid>`,
      `      <pubDate>${new Date(now.getTime() - entry.hoursAgo * HOUR).toUTCString()}</pubDate>`,
      `      <category>${escapeXml(entry.category)}</category>`,
      `      <dc:creator>${escapeXml(entry.author)}</dc:creator>`,
      `      <description>${escapeXml(entry.summary)}</description>`,
      `      <enclosure url="${escapeXml(`${base}/demo/products/${entry.picture}.png`)}" type="image/png" length="0"/>`,
      '    </item>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '  <channel>',
    '    <title>From our journal</title>',
    '    <link>https://shop.example/journal</link>',
    '    <description>Style notes, care guides and store events.</description>',
    ...items,
    '  </channel>',
    '</rss>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
