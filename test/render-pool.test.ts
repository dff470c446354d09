import type { ShownView } from '../src/kinds/kind-of-view';
import { RenderPool, RenderPoolBusy } from '../src/render/render-pool';
import { defaultTheme } from '../src/render/theme';

/**
 * The render threads draw in the order the opens asked: under steady load no
 * open is passed over again and again until the load ends
 * (docs/ARCHITECTURE.md, "Render threads and overload").
 */
test('with one thread and a queue, renders finish in the order they were asked for', async () => {
  const pool = new RenderPool({ threads: 1, queueLimit: 64 });
  try {
    await pool.warmUp();
    const finished: number[] = [];
    const renders = Array.from({ length: 24 }, (_, i) => {
      const view: ShownView = { kind: 'fallback', headline: `Open ${i}`, cta: { label: 'Shop', url: 'https://shop.example' } };
      return pool.drawPng({ view, theme: defaultTheme(), scale: 1, rect: null, pictures: [] }, new Map()).then(() => finished.push(i));
    });
    await Promise.all(renders);
    expect(finished).toEqual(Array.from({ length: 24 }, (_, i) => i));
  } finally {
    await pool.close();
  }
});

const still = (headline: string): ShownView => ({ kind: 'fallback', headline, cta: { label: 'Shop', url: 'https://shop.example' } });

/**
 * An Apple Mail prefetch asks for every picture of an email at once: pictures
 * filling the queue must not turn its countdown into a still first frame, and
 * animations have their own bound (docs/ARCHITECTURE.md, "Render threads and overload").
 */
test('animations are admitted by their own bound, not turned away by a queue full of pictures', async () => {
  const pool = new RenderPool({ threads: 1, queueLimit: 2, animationsPerThread: 2 });
  try {
    await pool.warmUp();
    const png = (i: number): Promise<Buffer> => pool.drawPng({ view: still(`Card ${i}`), theme: defaultTheme(), scale: 1, rect: null, pictures: [] }, new Map());
    const gif = (i: number): Promise<Buffer> =>
      pool.drawGif({ views: Array.from({ length: 3 }, (_, frame) => still(`Tick ${i}.${frame}`)), theme: defaultTheme(), scale: 1, timing: { delayMs: 1000, loop: true } });
    // One picture runs, two wait: the queue for pictures is full.
    const pictures = [png(1), png(2), png(3)];
    await expect(png(4)).rejects.toBeInstanceOf(RenderPoolBusy);
    // The countdowns still get in, up to their own bound.
    const animations = [gif(1), gif(2)];
    await expect(gif(3)).rejects.toBeInstanceOf(RenderPoolBusy);
    const drawn = await Promise.all([...pictures, ...animations]);
    expect(drawn.slice(3).every((bytes) => bytes.subarray(0, 6).toString('latin1') === 'GIF89a')).toBe(true);
    expect(pool.stats().refused).toBe(2);
  } finally {
    await pool.close();
  }
});
