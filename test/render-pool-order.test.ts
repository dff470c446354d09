import type { ShownView } from '../src/kinds/kind-of-view';
import { RenderPool } from '../src/render/render-pool';
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
