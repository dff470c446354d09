/** `opentime validate --config [file]`: a blocks config checked as the server would load it, without starting one. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runCli } from './helpers/processes';

describe('opentime validate --config', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-validate-config-'));

  test('the shipped config: exit 0 and one OK line per block', () => {
    const result = runCli(['validate', '--config', path.join(ROOT, 'config', 'blocks.yaml')], {});
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.map((line) => line.replace(/^OK .*blocks\.yaml: /, ''))).toEqual(
      expect.arrayContaining(['flash-countdown (countdown)', 'hero-product (product)', 'picks (recommendations)', 'loyalty-status (loyalty)', 'style-results (poll-results)']),
    );
    expect(lines.every((line) => line.startsWith('OK '))).toBe(true);
  });

  test('without a file it checks OPENTIME_BLOCKS', () => {
    const file = path.join(dir, 'env-blocks.yaml');
    fs.writeFileSync(file, 'blocks:\n  - { id: note, kind: callout, defaultUrl: "https://shop.example/" }\n');
    const result = runCli(['validate', '--config'], { OPENTIME_BLOCKS: file });
    expect([result.status, result.stdout]).toEqual([0, `OK ${file}: note (callout)\n`]);
  });

  test('a bad file: exit 2 and every error, each naming file, block, path and what was expected', () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      file,
      [
        'blocks:',
        '  - { id: hero-product, kind: product, prodcutId: quilted-jacket-olive, defaultUrl: "https://shop.example/" }',
        '  - { id: flash, kind: countdown, defaultUrl: "https://shop.example/", theme: { colour: { accent: "#000000" } } }',
        '  - { id: fine, kind: callout, defaultUrl: "https://shop.example/" }',
        '  - id: last-day',
        '    kind: countdown',
        '    defaultUrl: "https://shop.example/"',
        '    variants: [{ name: last-day, when: { "<": [{ var: campaign.secondLeft }, 86400] }, messages: { headline: "Last day!" } }]',
        '',
      ].join('\n'),
    );
    const result = runCli(['validate', '--config', file], {});
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `${file}: blocks[0] (id "hero-product").prodcutId: unknown field; did you mean "productId"?`,
      `${file}: blocks[1] (id "flash").theme.colour: unknown field; did you mean "colors"?`,
      `${file}: blocks[3] (id "last-day").variants[0].when.<[0].var: unknown fact "campaign.secondLeft"; did you mean "campaign.secondsLeft"? (expected one of: campaign.id, campaign.name, campaign.endsAt, campaign.secondsLeft).`,
      `${file}: 3 blocks refused; the server would not start with this file (a reload would keep the previous config).`,
    ]);
  });

  test('a file that is not there: exit 2 naming it', () => {
    const result = runCli(['validate', '--config', path.join(dir, 'missing.yaml')], {});
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^Cannot read the blocks config .*missing\.yaml: ENOENT/);
  });
});

describe('opentime validate --triggers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-validate-triggers-'));

  test('the shipped demo file: exit 0 and one OK line per trigger', () => {
    const file = path.join(ROOT, 'config', 'triggers.yaml');
    const result = runCli(['validate', '--triggers', file], {});
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toBe(
      [
        `OK ${file}: cart-abandonment (when added_to_cart → flash-sale/flash-sale)`,
        `OK ${file}: back-in-stock (when back_in_stock → flash-sale/flash-sale)`,
        `OK ${file}: price-drop (when price_drop → flash-sale/flash-sale)`,
        '',
      ].join('\n'),
    );
  });

  test('a bad file named by OPENTIME_TRIGGERS: exit 2 and every error, naming file, trigger, path and what was expected', () => {
    const file = path.join(dir, 'bad-triggers.yaml');
    fs.writeFileSync(
      file,
      [
        'triggers:',
        '  - { id: reminder, when: added_to_card, delay: 30m, campaign: flash-sale, template: flash-sale }',
        '  - { id: restock, when: back_in_stock, delay: 0s, campaign: flash-sale, template: no-such-template }',
      ].join('\n'),
    );
    const result = runCli(['validate', '--triggers'], { OPENTIME_TRIGGERS: file });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${file}: triggers[0] (id "reminder").when: expected one of:`);
    expect(result.stderr).toContain('did you mean "added_to_cart"?');
    expect(result.stderr).toContain(`${file}: triggers[1] (id "restock").template: no template "no-such-template"`);
    expect(result.stderr).toContain(`${file}: refused; the server would not start with this file.`);
  });
});
