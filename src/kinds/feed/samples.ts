import type { KindSamples } from '../kind';
import type { FeedCardView, FeedView } from './index';

function item(slug: string, title: string, date: string, source: string, summary: string, image: string | null): FeedCardView {
  return {
    id: `https://shop.example/journal/${slug}`,
    title,
    date,
    source,
    summary,
    image,
    url: `https://shop.example/journal/${slug}`,
    publishedAt: '2026-12-03T09:00:00.000Z',
  };
}

const picture = (name: string): string => `https://cdn.shop.example/journal/${name}.png`;

const journal: FeedView = {
  kind: 'feed',
  title: 'From our journal',
  items: [
    item('layering', 'How to layer for a northern winter', 'Dec 3, 2026', 'Style notes', 'Three layers, no bulk: merino, a quilted mid-layer and a shell.', picture('layering')),
    item('cashmere', 'Caring for cashmere & merino', 'Nov 30, 2026', 'Care guide', 'Wash cold, dry flat, fold – never hang.', picture('cashmere')),
    item('boot', 'Behind the Chelsea boot', 'Nov 27, 2026', 'Made well', 'From the tannery to your door, cut and stitched by hand.', picture('boot')),
  ],
  freshness: 'fresh',
  cta: { label: 'Read more', url: 'https://shop.example/journal' },
};

/** Text-only cards (no item has a picture), four of them, dated in German. */
const news: FeedView = {
  kind: 'feed',
  title: 'Neuigkeiten aus dem Laden',
  items: [
    item('markt', 'Wintermarkt in Kopenhagen', '3. Dez. 2026', 'Events', 'Glühwein, lokale Hersteller und lange Öffnungszeiten jeden Donnerstag im Dezember.', null),
    item('reparatur', 'Kostenlose Reparaturen', '1. Dez. 2026', 'Service', 'Bring deine Stiefel vorbei: wir nähen, kleben und pflegen.', null),
    item('filiale', 'Neue Filiale in Hamburg', '28. Nov. 2026', 'Läden', 'Ab Samstag in der Neustadt, mit Café und Schneiderei.', null),
    item('gutschein', 'Geschenkgutscheine', '24. Nov. 2026', '', 'Digital oder gedruckt, in jeder Höhe.', null),
  ],
  freshness: 'stale',
  cta: { label: 'Alle Neuigkeiten', url: 'https://shop.example/de/news' },
};

/** One item without a picture among two with one, and one picture that fails to load. */
const mixed: FeedView = {
  kind: 'feed',
  title: 'Store events',
  items: [
    item('market', 'Winter market at our Copenhagen store', 'Dec 3, 2026', 'Store events', 'Mulled wine and local makers every Thursday.', picture('market')),
    item('repair', 'Free repair afternoon', 'Dec 1, 2026', '', 'Bring your boots: we stitch, glue and polish.', null),
    item('opening', 'A new store in Hamburg', '', 'Openings', 'From Saturday, with a café and a tailor.', picture('opening')),
  ],
  freshness: 'fresh',
  cta: { label: 'All events', url: 'https://shop.example/events' },
};

const rightToLeft: FeedView = {
  kind: 'feed',
  title: 'من مدونتنا',
  items: [
    item('layers', 'كيف ترتدي طبقات في الشتاء', '٣ ديسمبر ٢٠٢٦', 'نصائح', 'ثلاث طبقات دون ثقل.', picture('layering')),
    item('care', 'العناية بالكشمير', '٣٠ نوفمبر ٢٠٢٦', 'عناية', 'اغسل بماء بارد وجفف مسطحًا.', picture('cashmere')),
  ],
  freshness: 'fresh',
  cta: { label: 'اقرأ المزيد', url: 'https://shop.example/ar/journal' },
};

export const feedSamples: KindSamples<FeedView> = [
  { name: 'journal with pictures', view: journal },
  { name: 'text only, German, stale', view: news },
  { name: 'mixed pictures, one failing', view: mixed, missingImages: [picture('opening')] },
  { name: 'right to left', view: rightToLeft },
];
