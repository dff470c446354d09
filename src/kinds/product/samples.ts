import type { KindSamples } from '../kind';
import type { ProductCardView } from '../shared/product-card';
import type { ProductView } from './index';

const jacket: ProductCardView = {
  id: 'quilted-jacket-olive',
  name: 'Quilted Jacket, Olive',
  url: 'https://shop.example/products/quilted-jacket-olive',
  image: 'https://shop.example/images/quilted-jacket-olive.png',
  category: 'coats',
  price: '€119.00',
  originalPrice: '€159.00',
  discount: '-25%',
  onSale: true,
  stockState: 'in_stock',
  badge: { text: '-25% today', tone: 'success' },
};

const onSale: ProductView = {
  kind: 'product',
  note: null,
  product: jacket,
  swappedFrom: null,
  cta: { label: 'Shop now', url: jacket.url },
};

const lowStock: ProductView = {
  kind: 'product',
  note: null,
  product: { ...jacket, price: '159,00 €', originalPrice: null, discount: null, onSale: false, stockState: 'low_stock', badge: { text: 'Plus que 2', tone: 'warning' } },
  swappedFrom: null,
  cta: { label: 'Acheter', url: jacket.url },
};

/** The configured product is sold out: the best in-stock coat of its category stands in, under a note. */
const swapped: ProductView = {
  kind: 'product',
  note: 'Down Parka, Black ist ausverkauft. Vielleicht gefällt dir das hier.',
  product: {
    id: 'wool-overcoat-camel',
    name: 'Wool Overcoat, Camel',
    url: 'https://shop.example/products/wool-overcoat-camel',
    image: 'https://shop.example/images/wool-overcoat-camel.png',
    category: 'coats',
    price: '329,00 €',
    originalPrice: null,
    discount: null,
    onSale: false,
    stockState: 'in_stock',
    badge: null,
  },
  swappedFrom: { id: 'down-parka-black', name: 'Down Parka, Black' },
  cta: { label: 'Jetzt kaufen', url: 'https://shop.example/products/wool-overcoat-camel' },
};

const rightToLeft: ProductView = {
  kind: 'product',
  note: null,
  product: { ...jacket, name: 'سترة مبطنة، زيتوني', price: '‏١١٩٫٠٠ €', originalPrice: '‏١٥٩٫٠٠ €', discount: '-٢٥٪؜', badge: { text: '-٢٥٪؜ اليوم', tone: 'success' } },
  swappedFrom: null,
  cta: { label: 'تسوق الآن', url: jacket.url },
};

export const productSamples: KindSamples<ProductView> = [
  { name: 'on sale', view: onSale },
  { name: 'low stock', view: lowStock },
  { name: 'sold out, swapped', view: swapped },
  { name: 'right to left', view: rightToLeft },
  { name: 'picture failed to load', view: onSale, missingImages: [jacket.image] },
];
