/**
 * The callout kind end to end, from a test fixture config (the demo config
 * shows the kinds the README documents): messages personalised with the
 * subscriber's profile through the real amp-list endpoint, the generic open,
 * its one click slot and PNG image. Its golden images are in
 * test/golden/callout-*.png (test/helpers/render-fixtures.ts), its draw log
 * is checked with every kind's (draw-log-equivalence.test.ts).
 */
import { loadBlocksConfig, parseBlocksConfig } from '../../src/blocks/blocks-config';
import { jsonFor, resolveBlock } from '../../src/blocks/resolve-block';
import { slotUrls } from '../../src/blocks/slots';
import { ConfigError } from '../../src/config';
import { imageFormatFor } from '../../src/email/opentime-urls';
import type { CalloutView } from '../../src/kinds/callout';
import { buildOpen } from '../../src/open/open';
import { createFixture, FIXED_NOW, type Fixture } from '../helpers/app-fixture';
import { viewOf } from '../helpers/amp-request';
import { MORE_KINDS_BLOCKS_FILE } from '../helpers/render-fixtures';

describe('callout block', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await createFixture({ blocks: loadBlocksConfig(MORE_KINDS_BLOCKS_FILE) });
  });
  afterAll(() => fixture.close());

  test('the headline and subline speak to the subscriber, from their profile, in their language', async () => {
    expect(await viewOf<CalloutView>(fixture, 'winter-callout', 'sub-emma')).toEqual({
      kind: 'callout',
      headline: 'Emma, your winter edit is here',
      subline: 'You have 2,750 points to spend on it.',
      cta: { label: 'See the edit', url: 'https://shop.example/winter' },
    });
    expect(await viewOf<CalloutView>(fixture, 'winter-callout', 'sub-lena')).toMatchObject({
      headline: 'Lena, deine Winterauswahl ist da',
      subline: 'Du hast 12.400 Punkte, die du dafür einlösen kannst.',
      cta: { label: 'Zur Auswahl' },
    });
  });

  test('a generic open (no subscriber) shows the generic messages', async () => {
    const block = fixture.blocks.get('winter-callout')!;
    const open = buildOpen({ now: FIXED_NOW, subscriber: null, campaign: null, client: 'direct' });
    expect(jsonFor(block, await resolveBlock(block, open, fixture.storage.catalogue), open.locale)).toEqual({
      items: [
        {
          kind: 'callout',
          headline: 'Your winter edit is here',
          subline: 'New coats and knitwear, picked for the cold days ahead.',
          cta: { label: 'See the edit', url: 'https://shop.example/winter' },
        },
      ],
    });
  });

  test('one click slot, its call to action; a PNG, not an animation; lockable', async () => {
    const block = fixture.blocks.get('winter-callout')!;
    expect(block.slotCount).toBe(1);
    expect(slotUrls(await viewOf<CalloutView>(fixture, 'winter-callout', 'sub-emma'))).toEqual(['https://shop.example/winter']);
    expect(imageFormatFor(block.kind)).toBe('png');
    const locked = parseBlocksConfig('blocks:\n  - { id: c, kind: callout, defaultUrl: "https://shop.example/", lockAtFirstOpen: true }\n', 'inline');
    expect(locked.get('c')?.lock).toEqual({ marks: [] });
  });

  test('its messages are checked at start-up like every kind\'s', () => {
    expect(() => parseBlocksConfig('blocks:\n  - { id: c, kind: callout, defaultUrl: "https://shop.example/", messages: { title: "x" } }\n', 'inline')).toThrow(ConfigError);
    expect(() => parseBlocksConfig('blocks:\n  - { id: c, kind: callout, defaultUrl: "https://shop.example/", messages: { title: "x" } }\n', 'inline')).toThrow(
      /unknown message "title" for a callout block. Expected one of: headline, genericHeadline, subline, genericSubline, cta/,
    );
  });
});
