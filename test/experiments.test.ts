import request from 'supertest';
import { parseBlocksConfig } from '../src/blocks/blocks-config';
import type { PreparedBlock } from '../src/blocks/prepared-block';
import { armConfig } from '../src/experiments/prepare-experiment';
import { assignArm, assignmentPoint } from '../src/experiments/assignment';
import { createRecordingApp, renderRows, type RecordingApp } from './helpers/recording-app';

/** A recommendations block split three ways: four picks, three picks in another look, and a 20% holdout. */
const EXPERIMENT_BLOCKS = `
blocks:
  - id: picks
    kind: recommendations
    count: 4
    defaultUrl: https://shop.example/new
    fallback:
      items: [{ kind: fallback, headline: "Our best-sellers", cta: { label: "Shop now", url: "https://shop.example/best" } }]
    experiment:
      id: picks-2026-11
      holdout: 20
      variants:
        - { name: four, weight: 40 }
        - name: three-red
          weight: 40
          override:
            count: 3
            messages: { cta: "More for you" }
            theme: { colors: { accent: "#d93025" } }
`;

function picks(blocksYaml = EXPERIMENT_BLOCKS): PreparedBlock {
  return parseBlocksConfig(blocksYaml, 'test').get('picks') as PreparedBlock;
}

describe('experiment config', () => {
  test('arms get their shares from the weights, in config order, holdout last', () => {
    const experiment = picks().experiment;
    expect(experiment?.id).toBe('picks-2026-11');
    expect(experiment?.arms.map((arm) => [arm.name, arm.share, arm.upTo])).toEqual([
      ['four', 0.4, 0.4],
      ['three-red', 0.4, 0.8],
      ['holdout', 0.2, 1],
    ]);
    expect(experiment?.arms[2]?.block).toBeNull();
    expect((experiment?.arms[1]?.block?.config as { count?: number }).count).toBe(3);
  });

  test('the experiment id defaults to the block id', () => {
    const block = picks(EXPERIMENT_BLOCKS.replace('      id: picks-2026-11\n', ''));
    expect(block.experiment?.id).toBe('picks');
  });

  test('overrides replace top-level options and merge theme, messages and translations one level deep', () => {
    const merged = armConfig(
      { id: 'b', kind: 'product', productId: 'a', theme: { radius: 4, colors: { accent: '#000000' } }, messages: { cta: 'Buy' }, experiment: {}, lockAtFirstOpen: true },
      { productId: 'b', theme: { colors: { accent: '#ffffff' } }, messages: { swapNote: 'x' } },
    );
    expect(merged).toEqual({ id: 'b', kind: 'product', productId: 'b', theme: { radius: 4, colors: { accent: '#ffffff' } }, messages: { cta: 'Buy', swapNote: 'x' } });
  });

  test.each([
    ['a variant named "holdout"', '- { name: holdout, weight: 1 }', /"holdout" is reserved for the holdout/],
    ['a zero weight', '- { name: a, weight: 0 }', /expected a weight above 0/],
    ['duplicate names', '- { name: a, weight: 1 }\n        - { name: a, weight: 1 }', /duplicate variant name "a"/],
    ['an override of the kind', '- { name: a, weight: 1, override: { kind: product } }', /a variant cannot change "kind"/],
    ['an invalid option in an override', '- { name: a, weight: 1, override: { count: 99 } }', /experiment\.variants\[0\].*count/s],
  ])('refuses %s with a message naming the place', (_name, variants, message) => {
    const yaml = `blocks:\n  - id: picks\n    kind: recommendations\n    defaultUrl: https://shop.example/new\n    experiment:\n      variants:\n        ${variants}\n`;
    expect(() => parseBlocksConfig(yaml, 'test')).toThrow(message);
  });
});

describe('assignment', () => {
  test('is a pure function of experiment id and subscriber id (SHA-256, first 32 bits)', () => {
    // Reproducible outside Opentime: sha256("picks-2026-11\nsub-emma")[0..4] / 2^32.
    expect(assignmentPoint('picks-2026-11', 'sub-emma')).toBe(assignmentPoint('picks-2026-11', 'sub-emma'));
    expect(assignmentPoint('picks-2026-11', 'sub-emma')).not.toBe(assignmentPoint('other-experiment', 'sub-emma'));
    const point = assignmentPoint('picks-2026-11', 'sub-emma');
    const expected = require('node:crypto').createHash('sha256').update('picks-2026-11\nsub-emma').digest().readUInt32BE(0) / 2 ** 32;
    expect(point).toBe(expected);
  });

  test('follows the weights within tolerance over 10,000 subscribers', () => {
    const experiment = picks().experiment!;
    const counts = new Map<string, number>();
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      const arm = assignArm(experiment, `subscriber-${i}`);
      counts.set(arm.name, (counts.get(arm.name) ?? 0) + 1);
    }
    // Four binomial standard deviations: sqrt(10000 · 0.4 · 0.6) ≈ 49, sqrt(10000 · 0.2 · 0.8) = 40.
    expect(Math.abs((counts.get('four') ?? 0) - 4000)).toBeLessThan(4 * 49);
    expect(Math.abs((counts.get('three-red') ?? 0) - 4000)).toBeLessThan(4 * 49);
    expect(Math.abs((counts.get('holdout') ?? 0) - 2000)).toBeLessThan(4 * 40);
  });

  test('two experiments split the same subscribers independently', () => {
    const a = picks().experiment!;
    const b = picks(EXPERIMENT_BLOCKS.replace('picks-2026-11', 'picks-2026-12')).experiment!;
    let same = 0;
    for (let i = 0; i < 10_000; i++) if (assignArm(a, `s${i}`).name === assignArm(b, `s${i}`).name) same++;
    // Independent: P(same) = 0.4² + 0.4² + 0.2² = 0.36.
    expect(Math.abs(same / 10_000 - 0.36)).toBeLessThan(0.02);
  });
});

describe('experiments over HTTP', () => {
  let fx: RecordingApp;
  beforeEach(async () => {
    fx = await createRecordingApp({ blocksYaml: EXPERIMENT_BLOCKS });
  });
  afterEach(() => fx.close());

  /** Subscribers (the token may name anyone; unknown ones get the generic picks) until each arm has two. */
  function subscribersPerArm(): Map<string, string[]> {
    const byArm = new Map<string, string[]>();
    const experiment = fx.blocks.get('picks')!.experiment!;
    const ids = ['sub-emma', 'sub-oliver', 'sub-lena', 'sub-camille', 'sub-lucia', 'sub-giulia', 'sub-sanne', 'sub-astrid', 'sub-yui', 'sub-rafael'];
    for (let i = 0; [...byArm.values()].filter((list) => list.length >= 2).length < 3; i++) {
      const id = ids[i] ?? `guest-${i}`;
      const arm = assignArm(experiment, id).name;
      byArm.set(arm, [...(byArm.get(arm) ?? []), id].slice(0, 2));
    }
    return byArm;
  }

  test('the same subscriber gets the same variant on JSON and image, open after open', async () => {
    const byArm = subscribersPerArm();
    // Equal views are drawn once and then served from the render cache: remember which view each picture (ETag) drew.
    const viewByEtag = new Map<string, unknown>();
    for (const [arm, subscribers] of byArm) {
      for (const subscriber of subscribers) {
        const item = await fx.json('picks', subscriber);
        const drawnBefore = fx.drawn.length;
        const picture = await fx.image('picks', subscriber);
        const etag = String(picture.headers.etag);
        if (fx.drawn.length > drawnBefore) viewByEtag.set(etag, fx.drawn[fx.drawn.length - 1]);
        // The picture draws exactly the JSON's view.
        expect(viewByEtag.get(etag)).toEqual(item);
        if (arm === 'holdout') {
          expect(item).toEqual({ kind: 'fallback', headline: 'Our best-sellers', cta: { label: 'Shop now', url: 'https://shop.example/best' } });
        } else {
          expect(item.products).toHaveLength(arm === 'four' ? 4 : 3);
          expect(item.cta.label).toBe(arm === 'four' ? 'See more' : 'More for you');
        }
        // The next open shows the same again, on both surfaces.
        expect(await fx.json('picks', subscriber)).toEqual(item);
        expect((await fx.image('picks', subscriber)).headers.etag).toBe(picture.headers.etag);
      }
    }
    await fx.flush();
    const rows = renderRows(fx);
    for (const [arm, subscribers] of byArm) {
      for (const subscriber of subscribers) {
        const mine = rows.filter((row) => row.subscriber_id === subscriber);
        expect(mine).toHaveLength(4);
        expect(new Set(mine.map((row) => row.variant))).toEqual(new Set([arm]));
        expect(new Set(mine.map((row) => row.surface))).toEqual(new Set(['json', 'image']));
        expect(mine.every((row) => row.outcome === (arm === 'holdout' ? 'holdout' : 'view'))).toBe(true);
      }
    }
  });

  test("a variant's look reaches the picture: its own theme, so different bytes for the same products", async () => {
    const byArm = subscribersPerArm();
    const four = (byArm.get('four') as string[])[0] as string;
    const threeRed = (byArm.get('three-red') as string[])[0] as string;
    const a = await fx.image('picks', four);
    const b = await fx.image('picks', threeRed);
    expect(a.headers['x-opentime-outcome']).toBe('view');
    expect(b.headers['x-opentime-outcome']).toBe('view');
    expect(a.headers.etag).not.toBe(b.headers.etag);
  });

  test('a click is recorded with the clicker\'s variant', async () => {
    const [subscriber] = subscribersPerArm().get('three-red') as string[];
    await fx.image('picks', subscriber as string);
    const response = await request(fx.app).get(`/c/v1/blocks/picks/0?t=${fx.token(subscriber as string)}`);
    expect(response.status).toBe(302);
    await fx.flush();
    const clicks = fx.db.prepare('SELECT block_id, subscriber_id, slot, variant, url FROM clicks').all();
    expect(clicks).toEqual([{ block_id: 'picks', subscriber_id: subscriber, slot: 0, variant: 'three-red', url: response.headers.location }]);
  });
});
