/**
 * The personal banner end to end: the demo block (config/blocks.yaml, in its
 * brand font) through the real amp-list endpoint in the reader's language,
 * the generic open, its click slot, its PNG; the picture-banner fixture's
 * background picture is loaded like a product picture. Its golden images are
 * test/golden/banner-*.png (test/helpers/render-fixtures.ts); its draw log is
 * checked with every kind's (draw-log-equivalence.test.ts).
 */
import { PNG } from 'pngjs';
import request from 'supertest';
import { loadBlocksConfig, parseBlocksConfig } from '../../src/blocks/blocks-config';
import { jsonFor, resolveBlock } from '../../src/blocks/resolve-block';
import { slotUrls } from '../../src/blocks/slots';
import { ConfigError } from '../../src/config';
import type { BannerView } from '../../src/kinds/banner';
import { buildOpen } from '../../src/open/open';
import { imageUrlsOf } from '../../src/render/draw-block';
import { createFixture, FIXED_NOW, type Fixture } from '../helpers/app-fixture';
import { viewOf } from '../helpers/amp-request';
import { DEMO_BLOCKS_FILE, MORE_KINDS_BLOCKS_FILE } from '../helpers/render-fixtures';

describe('banner block', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await createFixture({ blocks: new Map([...loadBlocksConfig(DEMO_BLOCKS_FILE), ...loadBlocksConfig(MORE_KINDS_BLOCKS_FILE)]) });
  });
  afterAll(() => fixture.close());

  test('greets the subscriber by name, with their points, in their language', async () => {
    expect(await viewOf<BannerView>(fixture, 'welcome-banner', 'sub-emma')).toEqual({
      kind: 'banner',
      headline: 'Welcome back, Emma',
      subline: 'You have 2,750 points to spend.',
      cta: { label: 'See your rewards', url: 'https://shop.example/rewards' },
      image: null,
    });
    expect(await viewOf<BannerView>(fixture, 'welcome-banner', 'sub-lena')).toMatchObject({
      headline: 'Willkommen zurück, Lena',
      subline: 'Du hast 12.400 Punkte zum Einlösen.',
      cta: { label: 'Zu deinen Prämien' },
    });
  });

  test('a generic open (no subscriber) says hello without a name', async () => {
    const block = fixture.blocks.get('welcome-banner')!;
    const open = buildOpen({ now: FIXED_NOW, subscriber: null, campaign: null, client: 'direct' });
    expect(jsonFor(block, await resolveBlock(block, open, fixture.storage.catalogue), open.locale)).toEqual({
      items: [{ kind: 'banner', headline: 'Hello!', subline: 'Good to see you again.', cta: { label: 'See your rewards', url: 'https://shop.example/rewards' }, image: null }],
    });
  });

  test('its background picture is loaded before drawing, like a product picture; its one click slot is its call to action', async () => {
    const view = await viewOf<BannerView>(fixture, 'picture-banner', 'sub-emma');
    expect(view.image).toBe('https://opentime.test/demo/products/wool-overcoat-camel.png');
    expect(imageUrlsOf(view)).toEqual([view.image]);
    expect(fixture.blocks.get('picture-banner')!.slotCount).toBe(1);
    expect(slotUrls(view)).toEqual(['https://shop.example/winter']);
  });

  test('the image endpoint draws it as a 600 × 180 PNG, in the brand font', async () => {
    const res = await request(fixture.app)
      .get(`/img/v1/blocks/welcome-banner.png?t=${fixture.token('sub-lena')}`)
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-opentime-outcome']).toBe('view');
    const png = PNG.sync.read(res.body as Buffer);
    expect([png.width, png.height]).toEqual([600, 180]);
    expect(fixture.blocks.get('welcome-banner')!.theme).toMatchObject({ fontFamily: 'DM Serif Display', fonts: [expect.objectContaining({ family: 'DM Serif Display' }), expect.anything()] });
  });

  test('a background that is not an http(s) URL stops start-up, saying what was expected', () => {
    const config = 'blocks:\n  - { id: b, kind: banner, defaultUrl: "https://shop.example/", backgroundImage: "file:///etc/passwd" }\n';
    expect(() => parseBlocksConfig(config, 'blocks.yaml')).toThrow(ConfigError);
    expect(() => parseBlocksConfig(config, 'blocks.yaml')).toThrow(/blocks\.yaml: blocks\[0\] \(id "b"\)\.backgroundImage: expected an http\(s\) URL.*received "file:\/\/\/etc\/passwd"/);
  });
});
