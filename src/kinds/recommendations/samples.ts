import type { KindSamples } from '../kind';
import type { ProductCardView } from '../shared/product-card';
import type { RecommendationsView } from './index';

function card(id: string, name: string, price: string, more: Partial<ProductCardView> = {}): ProductCardView {
  return {
    id,
    name,
    url: `https://shop.example/products/${id}`,
    image: `https://shop.example/images/${id}.png`,
    category: 'knitwear',
    price,
    originalPrice: null,
    discount: null,
    onSale: false,
    stockState: 'in_stock',
    badge: null,
    ...more,
  };
}

const cardigan = card('cable-knit-cardigan-cream', 'Cable-Knit Cardigan, Cream', '129,00 €');

const personal: RecommendationsView = {
  kind: 'recommendations',
  title: 'Für dich ausgewählt, Lena',
  products: [
    card('cashmere-turtleneck-oat', 'Cashmere Turtleneck, Oat', '151,00 €', {
      originalPrice: '189,00 €',
      discount: '-20 %',
      onSale: true,
      stockState: 'low_stock',
      badge: { text: 'Nur noch 4', tone: 'warning' },
    }),
    cardigan,
    card('breton-knit-ecru-navy', 'Cotton Breton Knit, Ecru/Navy', '59,00 €', {
      originalPrice: '79,00 €',
      discount: '-25 %',
      onSale: true,
      badge: { text: 'Heute -25 %', tone: 'success' },
    }),
    card('ribbed-knit-dress-black', 'Ribbed Knit Dress, Black', '119,00 €'),
  ],
  sources: ['history', 'history', 'category', 'category'],
  cta: { label: 'Mehr entdecken', url: 'https://shop.example/new' },
};

/** A generic open (no subscriber), and only two picks: the cards are centred. */
const twoBestSellers: RecommendationsView = {
  kind: 'recommendations',
  title: 'Our best-sellers',
  products: [card('merino-crew-navy', 'Merino Crew-Neck Sweater, Navy', '€89.00'), card('lambswool-scarf-check', 'Lambswool Scarf, Check', '€59.00')],
  sources: ['bestsellers', 'bestsellers'],
  cta: { label: 'See more', url: 'https://shop.example/new' },
};

const rightToLeft: RecommendationsView = {
  kind: 'recommendations',
  title: 'اخترناها لك يا ليلى',
  products: [
    card('brass-table-lamp', 'مصباح طاولة نحاسي', '‏٢١٩٫٠٠ €', { stockState: 'low_stock', badge: { text: 'بقي ٢ فقط', tone: 'warning' } }),
    card('linen-duvet-set-sand', 'طقم غطاء لحاف من الكتان', '‏١٤٩٫٠٠ €', {
      originalPrice: '‏١٨٩٫٠٠ €',
      discount: '-٢١٪؜',
      onSale: true,
      badge: { text: '-٢١٪؜ اليوم', tone: 'success' },
    }),
    card('stoneware-mug-set', 'طقم أكواب من الخزف', '‏٤٨٫٠٠ €'),
  ],
  sources: ['history', 'history', 'category'],
  cta: { label: 'المزيد', url: 'https://shop.example/new' },
};

export const recommendationsSamples: KindSamples<RecommendationsView> = [
  { name: 'personal, four picks', view: personal },
  { name: 'generic, two picks', view: twoBestSellers },
  { name: 'right to left', view: rightToLeft },
  { name: 'a picture failed to load', view: personal, missingImages: [cardigan.image] },
];
