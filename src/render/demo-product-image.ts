import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { buildDemoDataset } from '../data/demo-data';
import { encodeCanvasPng } from './encode';

/**
 * Pictures for the demo catalogue, drawn rather than shipped: a flat
 * illustration per product (coat, sweater, shoe, bag, accessory or homeware
 * silhouette) in the colour its name says, so the demo works offline and every
 * card shows something a shop could plausibly send. Pure function of the id.
 */

export const DEMO_IMAGE_SIZE = 480;

type Category = 'coats' | 'knitwear' | 'shoes' | 'bags' | 'accessories' | 'home';

let categories: ReadonlyMap<string, Category> | undefined;

/** id → category of the demo catalogue (built once; the catalogue is fixed). */
function demoCategories(): ReadonlyMap<string, Category> {
  categories ??= new Map(
    buildDemoDataset({ baseUrl: 'http://demo.invalid', now: new Date(0) }).products.map((product) => [product.id, product.category as Category]),
  );
  return categories;
}

/** Colour words in the demo ids, as a shop would photograph them. */
const COLOURS: Readonly<Record<string, string>> = {
  navy: '#24345a', black: '#26262a', camel: '#c39a68', stone: '#c9bea8', olive: '#6d7343', yellow: '#eec42d',
  brown: '#7a4f33', grey: '#8d9096', tan: '#c99b68', cream: '#efe5cf', ecru: '#e8dfc8', rose: '#d9a3a6',
  charcoal: '#45484e', rust: '#b6562d', white: '#f7f7f5', red: '#c8383a', oxblood: '#61212a', cognac: '#a0542a',
  indigo: '#2f3d74', forest: '#2f5d40', tortoise: '#7a4a25', steel: '#a9b0b8', natural: '#d8c39b', sand: '#dcc9a3',
  celadon: '#9fc2a4', fig: '#74405a', oat: '#d9cbad', check: '#9a5a48', botanical: '#4d7a55', brass: '#bf9040',
  glass: '#a9cfd9', oak: '#b3874f', candle: '#e9dcc4', mug: '#8f7a67', linen: '#d8cbb3', basket: '#c9a46b',
  socks: '#6f7f95', breton: '#ece4cf',
};

function colourOf(id: string): string {
  const words = id.split('-');
  // Stripes are drawn over the ground colour, which comes first in the name.
  if (words.includes('breton')) return COLOURS.breton as string;
  for (let i = words.length - 1; i >= 0; i--) {
    const colour = COLOURS[words[i] as string];
    if (colour) return colour;
  }
  for (const word of words) if (COLOURS[word]) return COLOURS[word] as string;
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360}, 35%, 45%)`;
}

function rgb(hex: string): [number, number, number] {
  if (!hex.startsWith('#')) return [110, 110, 110];
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function mix(hex: string, other: string, amount: number): string {
  const a = rgb(hex);
  const b = rgb(other);
  const channel = (i: number): number => Math.round((a[i] as number) * (1 - amount) + (b[i] as number) * amount);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

function luminance(hex: string): number {
  const [r, g, b] = rgb(hex);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

/** Draws the picture of a demo product, or returns null for an id that is not in the demo catalogue. */
export function drawDemoProductImage(id: string, size: number = DEMO_IMAGE_SIZE): Canvas | null {
  const category = demoCategories().get(id);
  if (!category) return null;
  const canvas = createCanvas(size, size);
  const ctx = canvas.getContext('2d');
  const colour = colourOf(id);
  const light = luminance(colour) > 0.75;
  ctx.fillStyle = light ? '#e3ded5' : mix(colour, '#f6f3ee', 0.86);
  ctx.fillRect(0, 0, size, size);
  ctx.scale(size / 100, size / 100);
  // A soft floor shadow grounds every object.
  ctx.fillStyle = 'rgba(0, 0, 0, 0.08)';
  ctx.beginPath();
  ctx.ellipse(50, 88, 30, 4, 0, 0, Math.PI * 2);
  ctx.fill();
  const detail = light ? mix(colour, '#000000', 0.25) : mix(colour, '#000000', 0.3);
  const highlight = mix(colour, '#ffffff', 0.25);
  const look: Look = { ctx, colour, detail, highlight, id };
  SHAPES[category](look);
  return canvas;
}

interface Look {
  ctx: SKRSContext2D;
  colour: string;
  detail: string;
  highlight: string;
  id: string;
}

const SHAPES: Readonly<Record<Category, (look: Look) => void>> = {
  coats({ ctx, colour, detail, id }) {
    const sleeves = !id.includes('vest');
    ctx.fillStyle = colour;
    if (sleeves) {
      polygon(ctx, [[30, 22], [19, 30], [14, 74], [22, 75], [27, 42]]);
      polygon(ctx, [[70, 22], [81, 30], [86, 74], [78, 75], [73, 42]]);
    }
    polygon(ctx, [[38, 16], [62, 16], [72, 24], [75, 84], [25, 84], [28, 24]]);
    ctx.fillStyle = detail;
    polygon(ctx, [[38, 16], [50, 34], [62, 16], [57, 14], [50, 24], [43, 14]]);
    ctx.fillRect(49.3, 34, 1.4, 50);
    for (const y of [42, 54, 66]) dot(ctx, 53.5, y, 1.4);
    ctx.fillRect(30, 58, 10, 1.2);
    ctx.fillRect(60, 58, 10, 1.2);
  },
  knitwear({ ctx, colour, detail, id }) {
    ctx.fillStyle = colour;
    if (id.includes('dress')) {
      polygon(ctx, [[38, 14], [62, 14], [66, 40], [74, 86], [26, 86], [34, 40]]);
      polygon(ctx, [[38, 15], [28, 22], [24, 46], [31, 47], [35, 30]]);
      polygon(ctx, [[62, 15], [72, 22], [76, 46], [69, 47], [65, 30]]);
    } else {
      polygon(ctx, [[33, 20], [18, 30], [12, 68], [21, 70], [28, 40]]);
      polygon(ctx, [[67, 20], [82, 30], [88, 68], [79, 70], [72, 40]]);
      roundRect(ctx, 27, 18, 46, 62, 4);
    }
    ctx.fillStyle = detail;
    ctx.beginPath();
    ctx.ellipse(50, 19, 9, 4, 0, 0, Math.PI);
    ctx.fill();
    if (!id.includes('dress')) {
      for (let x = 29; x < 71; x += 3) ctx.fillRect(x, 74, 1.2, 6);
      if (id.includes('breton')) {
        ctx.fillStyle = COLOURS.navy as string;
        for (let y = 30; y < 72; y += 7) ctx.fillRect(27, y, 46, 2.5);
      }
      if (id.includes('cable') || id.includes('aran')) {
        for (const x of [38, 50, 62]) for (let y = 28; y < 70; y += 6) dot(ctx, x, y, 1.6);
      }
      if (id.includes('cardigan') || id.includes('hoodie')) ctx.fillRect(49.3, 22, 1.4, 58);
    }
  },
  shoes({ ctx, colour, detail, highlight, id }) {
    const boot = id.includes('boot');
    ctx.fillStyle = colour;
    if (boot) {
      polygon(ctx, [[30, 28], [50, 28], [52, 58], [80, 64], [84, 74], [26, 74]]);
    } else {
      polygon(ctx, [[20, 50], [42, 44], [58, 54], [80, 60], [86, 70], [16, 70]]);
    }
    ctx.fillStyle = id.includes('white') ? '#cfcac1' : detail;
    roundRect(ctx, boot ? 24 : 14, 72, boot ? 62 : 74, 5, 2);
    ctx.fillStyle = highlight;
    if (boot) {
      ctx.fillRect(34, 32, 12, 2);
    } else {
      for (const x of [44, 49, 54]) ctx.fillRect(x, 51 + (x - 44) * 0.5, 3, 1.4);
    }
  },
  bags({ ctx, colour, detail, id }) {
    ctx.strokeStyle = detail;
    ctx.lineWidth = 3;
    ctx.lineCap = 'round';
    if (id.includes('backpack')) {
      roundRect(ctx, 30, 20, 40, 64, 8, colour);
      ctx.fillStyle = detail;
      roundRect(ctx, 36, 52, 28, 20, 3);
      ctx.fillRect(30, 30, 40, 2);
      return;
    }
    const wide = id.includes('weekender') || id.includes('briefcase') || id.includes('sleeve');
    const [x, y, w, h] = wide ? [18, 40, 64, 40] : id.includes('crossbody') || id.includes('belt') ? [30, 50, 40, 28] : [26, 38, 48, 44];
    if (!id.includes('sleeve')) {
      ctx.beginPath();
      if (id.includes('crossbody')) {
        ctx.moveTo(x + 4, y + 2);
        ctx.lineTo(50, 12);
        ctx.lineTo(x + w - 4, y + 2);
      } else {
        ctx.arc(50, y, w * 0.26, Math.PI, 0);
      }
      ctx.stroke();
    }
    if (id.includes('basket')) {
      roundRect(ctx, x, y, w, h, 6, colour);
      ctx.fillStyle = detail;
      for (let row = y + 6; row < y + h; row += 6) ctx.fillRect(x + 2, row, w - 4, 1.2);
      return;
    }
    roundRect(ctx, x, y, w, h, 5, colour);
    ctx.fillStyle = detail;
    ctx.fillRect(x, y + 8, w, 1.4);
    if (!id.includes('furoshiki')) dot(ctx, 50, y + 14, 1.8);
  },
  accessories({ ctx, colour, detail, highlight, id }) {
    if (id.includes('sunglasses')) {
      ctx.strokeStyle = detail;
      ctx.lineWidth = 3;
      for (const cx of [35, 65]) {
        ctx.fillStyle = colour;
        ctx.beginPath();
        ctx.arc(cx, 52, 12, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
      }
      ctx.beginPath();
      ctx.moveTo(46, 49);
      ctx.quadraticCurveTo(50, 45, 54, 49);
      ctx.stroke();
      return;
    }
    if (id.includes('watch')) {
      ctx.fillStyle = detail;
      roundRect(ctx, 42, 16, 16, 68, 4);
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.arc(50, 50, 16, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = '#f7f7f5';
      ctx.beginPath();
      ctx.arc(50, 50, 12, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = detail;
      ctx.fillRect(49.4, 41, 1.2, 10);
      ctx.fillRect(50, 49.4, 7, 1.2);
      return;
    }
    if (id.includes('beanie')) {
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.arc(50, 58, 26, Math.PI, 0);
      ctx.fill();
      roundRect(ctx, 22, 56, 56, 14, 3, detail);
      dot(ctx, 50, 30, 6, highlight);
      return;
    }
    if (id.includes('umbrella')) {
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.arc(50, 50, 30, Math.PI, 0);
      ctx.fill();
      ctx.strokeStyle = detail;
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.moveTo(50, 50);
      ctx.lineTo(50, 78);
      ctx.arc(45, 78, 5, 0, Math.PI);
      ctx.stroke();
      return;
    }
    if (id.includes('belt')) {
      roundRect(ctx, 12, 46, 76, 10, 3, colour);
      ctx.strokeStyle = '#c9a44c';
      ctx.lineWidth = 2.5;
      ctx.strokeRect(64, 43, 12, 16);
      return;
    }
    if (id.includes('gloves') || id.includes('socks')) {
      for (const dx of [-12, 12]) {
        ctx.fillStyle = colour;
        roundRect(ctx, 38 + dx, 26, 22, 50, 9);
        ctx.fillStyle = detail;
        ctx.fillRect(38 + dx, 66, 22, 2);
      }
      return;
    }
    if (id.includes('card')) {
      roundRect(ctx, 28, 36, 44, 30, 3, colour);
      ctx.fillStyle = detail;
      ctx.fillRect(28, 44, 44, 1.4);
      return;
    }
    // Scarves: a folded drop with fringe.
    ctx.fillStyle = colour;
    polygon(ctx, [[34, 14], [58, 14], [58, 72], [34, 72]]);
    polygon(ctx, [[44, 30], [66, 30], [66, 84], [44, 84]]);
    ctx.fillStyle = detail;
    if (id.includes('check')) {
      for (let y = 20; y < 84; y += 8) ctx.fillRect(34, y, 32, 1.2);
      for (const x of [40, 50, 60]) ctx.fillRect(x, 14, 1.2, 70);
    }
    for (let x = 45; x < 66; x += 3) ctx.fillRect(x, 84, 1.2, 5);
  },
  home({ ctx, colour, detail, highlight, id }) {
    if (id.includes('mug') || id.includes('bowl')) {
      const bowl = id.includes('bowl');
      ctx.fillStyle = colour;
      if (bowl) {
        ctx.beginPath();
        ctx.moveTo(24, 48);
        ctx.quadraticCurveTo(28, 82, 50, 82);
        ctx.quadraticCurveTo(72, 82, 76, 48);
        ctx.closePath();
        ctx.fill();
        return;
      }
      roundRect(ctx, 30, 36, 32, 44, 4);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 5;
      ctx.beginPath();
      ctx.arc(64, 56, 9, -Math.PI / 2, Math.PI / 2);
      ctx.stroke();
      ctx.fillStyle = highlight;
      ctx.fillRect(34, 42, 3, 30);
      return;
    }
    if (id.includes('lamp')) {
      ctx.fillStyle = '#e4cf9c';
      polygon(ctx, [[36, 20], [64, 20], [74, 46], [26, 46]]);
      ctx.fillStyle = detail;
      ctx.fillRect(26, 44.8, 48, 1.2);
      ctx.fillStyle = colour;
      ctx.fillRect(48.5, 46, 3, 32);
      roundRect(ctx, 36, 78, 28, 5, 2);
      return;
    }
    if (id.includes('candle')) {
      roundRect(ctx, 36, 40, 28, 40, 3, '#6b4f3a');
      ctx.fillStyle = '#f4ecdc';
      ctx.fillRect(36, 40, 28, 5);
      ctx.fillStyle = '#f0b232';
      ctx.beginPath();
      ctx.ellipse(50, 33, 2.6, 5, 0, 0, Math.PI * 2);
      ctx.fill();
      return;
    }
    if (id.includes('carafe')) {
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.moveTo(44, 18);
      ctx.lineTo(56, 18);
      ctx.lineTo(56, 36);
      ctx.quadraticCurveTo(72, 48, 70, 82);
      ctx.lineTo(30, 82);
      ctx.quadraticCurveTo(28, 48, 44, 36);
      ctx.closePath();
      ctx.fill();
      ctx.fillStyle = highlight;
      ctx.fillRect(36, 52, 3, 24);
      return;
    }
    if (id.includes('board')) {
      roundRect(ctx, 20, 44, 60, 26, 6, colour);
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.arc(84, 57, 6, 0, Math.PI * 2);
      ctx.fill();
      return;
    }
    // Textiles (duvet, throw, towels, napkins, rug): a folded stack.
    for (const [i, y] of [64, 52, 40].entries()) {
      roundRect(ctx, 22 + i * 2, y, 56 - i * 4, 14, 3, i % 2 === 0 ? colour : mix(colour as string, '#ffffff', 0.12));
      ctx.fillStyle = detail;
      ctx.fillRect(22 + i * 2, y + 12, 56 - i * 4, 1.2);
    }
  },
};

function polygon(ctx: SKRSContext2D, points: readonly (readonly [number, number])[]): void {
  ctx.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
  ctx.closePath();
  ctx.fill();
}

function roundRect(ctx: SKRSContext2D, x: number, y: number, w: number, h: number, r: number, fill?: string): void {
  if (fill) ctx.fillStyle = fill;
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, r);
  ctx.fill();
}

function dot(ctx: SKRSContext2D, x: number, y: number, r: number, fill?: string): void {
  if (fill) ctx.fillStyle = fill;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.fill();
}

const pngs = new Map<string, Promise<Buffer | null>>();

/**
 * The PNG of a demo product, drawn once per id and kept (the catalogue has
 * ~60 entries, ~10 KB each). Shared by the HTTP route and the image loader.
 */
export function demoProductPng(id: string): Promise<Buffer | null> {
  let png = pngs.get(id);
  if (!png) {
    const canvas = drawDemoProductImage(id);
    // Unknown ids are not remembered: the map stays bounded by the catalogue.
    if (!canvas) return Promise.resolve(null);
    png = encodeCanvasPng(canvas);
    pngs.set(id, png);
    png.catch(() => pngs.delete(id));
  }
  return png;
}
