import fs from 'node:fs';
import path from 'node:path';
import { loadBlocksConfig } from '../src/blocks/blocks-config';
import { DEMO_BLOCKS_FILE } from './helpers/app-fixture';

// The AMP part's countdown ticks (README "Blocks", countdown): amp-anim shows the block's GIF, with the
// JSON's figures as placeholder and fallback, so Gmail readers see it move as the HTML part's readers do.
const TEMPLATES = path.join(__dirname, '..', 'amp-templates');
const countdownBlocks = new Set([...loadBlocksConfig(DEMO_BLOCKS_FILE).values()].filter((block) => block.kind.name === 'countdown').map((block) => block.config.id));

const countdownLists = fs
  .readdirSync(TEMPLATES)
  .filter((name) => name.endsWith('.amp.html'))
  .flatMap((name) => {
    const html = fs.readFileSync(path.join(TEMPLATES, name), 'utf8');
    return [...html.matchAll(/<amp-list\b[^>]*\/amp\/v1\/blocks\/([\w-]+)\?[^>]*>([\s\S]*?)<\/amp-list>/g)]
      .filter((match) => countdownBlocks.has(match[1] as string))
      .map((match) => ({ name, html, blockId: match[1] as string, body: match[2] as string }));
  });

test('the shipped AMP parts have a countdown', () => {
  expect(countdownLists.map((list) => list.name)).toContain('flash-sale.amp.html');
});

test.each(countdownLists.map((list) => [`${list.name} ${list.blockId}`, list] as const))('%s: the running countdown is the block GIF in amp-anim, the JSON figures its placeholder and fallback', (_name, list) => {
  expect(list.html).toContain('<script async custom-element="amp-anim" src="https://cdn.ampproject.org/v0/amp-anim-0.1.js"></script>');
  const anim = /<amp-anim\b([^>]*)>([\s\S]*?)<\/amp-anim>/.exec(list.body);
  expect(anim).not.toBeNull();
  const [, attributes, children] = anim as unknown as [string, string, string];
  expect(attributes).toContain(`src="%%OPENTIME_BASE_URL%%/img/v1/blocks/${list.blockId}.gif?t=%%OPENTIME_TOKEN%%"`);
  expect(attributes).toMatch(/width="600" height="160" layout="responsive"/);
  for (const role of ['placeholder', 'fallback']) {
    const child = new RegExp(`<div ${role}\\b[\\s\\S]*?{{#units}}[\\s\\S]*?{{value}}[\\s\\S]*?{{label}}[\\s\\S]*?{{/units}}`).exec(children);
    expect(child).not.toBeNull();
  }
});
