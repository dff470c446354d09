import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { loadBlocksConfig } from '../src/blocks/blocks-config';
import { buildCli } from '../src/cli';
import { runValidate } from '../src/commands/validate';
import { listTemplates } from '../src/email/templates';
import { checkTemplate, type Finding } from '../src/validate/checks';
import { EngineLoadError, engineSourceFromEnv, loadEngine, pinnedEnginePath, sha256Of, verifyPinnedEngine, type AmpEngine } from '../src/validate/engine';
import { scanHtml } from '../src/validate/html-scan';
import { PINNED_AMP_VALIDATOR } from '../src/validate/pinned-engine';
import { resolveTargets, validateTemplates } from '../src/validate/validate';
import { loadFormsConfig } from '../src/forms/forms-config';

const ROOT = path.join(__dirname, '..');
const TEMPLATES = path.join(ROOT, 'amp-templates');
const FIXTURES = path.join(__dirname, 'fixtures');
const BROKEN_AMP = path.join(FIXTURES, 'c-broken.amp.html');
const BLOCKS_FILE = path.join(ROOT, 'config', 'blocks.yaml');
const blocks = loadBlocksConfig(BLOCKS_FILE);
/** The blocks file is named explicitly: config.ts derives its default from its own location, which differs under ts-jest. */
const ENV = { OPENTIME_BLOCKS: BLOCKS_FILE, OPENTIME_DEMO: 'true' };

/** 1-based line and column of the first occurrence of `needle` in a file. */
function locate(file: string, needle: string): { line: number; col: number } {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(needle));
  if (index === -1) throw new Error(`${needle} not in ${file}`);
  return { line: index + 1, col: (lines[index] as string).indexOf(needle) + 1 };
}

function collect(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  return { stream, text: () => text };
}

let engine: AmpEngine;

beforeAll(async () => {
  engine = await loadEngine('pinned');
}, 60_000);

describe('shipped templates', () => {
  const names = listTemplates(TEMPLATES);

  test('there are at least two campaigns, each with AMP, HTML and text parts', () => {
    expect(names).toEqual(expect.arrayContaining(['flash-sale', 'loyalty-update']));
    for (const name of names) {
      for (const suffix of ['.amp.html', '.html', '.txt']) expect(fs.existsSync(path.join(TEMPLATES, `${name}${suffix}`))).toBe(true);
    }
  });

  test.each(names)('%s passes the official AMP4EMAIL engine and every Opentime check, without warnings', (name) => {
    const report = validateTemplates(resolveTargets([path.join(TEMPLATES, `${name}.amp.html`)]), { blocks, forms: loadFormsConfig(path.join(ROOT, 'config', 'forms.yaml')), engine, publicUrl: 'https://opentime.shop.example' });
    expect(report.templates.map((template) => template.name)).toEqual([name]);
    expect(report.templates[0]!.findings).toEqual([]);
    expect(report.errors).toBe(0);
  });

  test('the flash sale shows countdown, hero product and picks; the loyalty update its welcome banner, loyalty and picks; the style survey its poll\'s results', () => {
    const ampBlocks = (name: string): string[] =>
      [...fs.readFileSync(path.join(TEMPLATES, `${name}.amp.html`), 'utf8').matchAll(/\/amp\/v1\/blocks\/([a-z0-9-]+)\?/g)].map((match) => match[1] as string);
    expect(ampBlocks('flash-sale')).toEqual(['flash-countdown', 'hero-product', 'picks']);
    expect(ampBlocks('loyalty-update')).toEqual(['welcome-banner', 'loyalty-status', 'picks']);
    expect(ampBlocks('style-survey')).toEqual(['style-results']);
    expect(ampBlocks('welcome')).toEqual(['welcome-countdown']);
  });

  test('loyalty-update links its picks title band, and each card in its own cell through its own slot, with no image map', () => {
    const html = fs.readFileSync(path.join(TEMPLATES, 'loyalty-update.html'), 'utf8');
    const doc = scanHtml(html);
    expect(doc.elements.filter((element) => element.name === 'map' || element.attributes.some((a) => a.name === 'usemap'))).toEqual([]);
    const parts = doc.elements
      .filter((element) => element.name === 'img' && /\/img\/v1\/blocks\/picks\.png\?slot=/.test(element.attributes.find((a) => a.name === 'src')?.value ?? ''))
      .map((image) => {
        const slot = /[?&]slot=([^&]+)/.exec(image.attributes.find((a) => a.name === 'src')!.value)![1];
        let link = image.parent;
        while (link && link.name !== 'a') link = link.parent;
        const src = image.attributes.find((a) => a.name === 'src')!.value;
        return { slot, href: link?.attributes.find((a) => a.name === 'href')?.value, cell: image.parent?.parent?.name, narrow: /[?&]layout=narrow/.test(src) };
      });
    const linked = (cell: string) => [
      // The title band carries the drawn "See more" button: it opens the block's call to action.
      { slot: 'header', href: 'https://shop.example/new', cell },
      ...[0, 1, 2, 3].map((slot) => ({ slot: String(slot), href: `%%OPENTIME_BASE_URL%%/c/v1/blocks/picks/${slot}?t=%%OPENTIME_TOKEN%%`, cell })),
    ];
    const without = ({ narrow: _narrow, ...part }: (typeof parts)[number]) => part;
    // Wide: the title band's cell, then the cards' table cells.
    expect(parts.filter((part) => !part.narrow).map(without)).toEqual(linked('td'));
    // Phones (README "Phones"): the narrow picture's title band and one full-width row per card, each linked to its own slot.
    expect(parts.filter((part) => part.narrow).map(without)).toEqual(linked('div'));
    expect(new Set(parts.map((part) => part.href)).size).toBe(5);
  });

  test('every AMP part stays well inside the limits (200,000 bytes; 75,000 bytes of CSS; no !important)', () => {
    for (const name of names) {
      const amp = fs.readFileSync(path.join(TEMPLATES, `${name}.amp.html`), 'utf8');
      const css = scanHtml(amp).elements.find((element) => element.name === 'style' && element.attributes.some((a) => a.name === 'amp-custom'));
      expect(Buffer.byteLength(amp)).toBeLessThan(50_000);
      expect(Buffer.byteLength(css?.text ?? '')).toBeGreaterThan(0);
      expect(Buffer.byteLength(css!.text!)).toBeLessThan(75_000);
      expect(amp).not.toMatch(/!\s*important/i);
    }
  });

  test('`opentime validate` with no files validates every shipped template and exits 0', async () => {
    const out = collect();
    const code = await runValidate([], { env: ENV, cwd: ROOT, out: out.stream });
    expect(out.text()).toMatch(/^PASS: \d+ templates \((?=.*flash-sale)(?=.*loyalty-update).*\), 0 errors, 0 warnings\. AMP4EMAIL engine: pinned validator_wasm\.js from next@15\.5\.29/m);
    expect(code).toBe(0);
  });
});

describe('a deliberately broken template (test/fixtures/c-broken.*)', () => {
  let findings: Finding[];
  const at = (rule: string, file = 'c-broken.amp.html'): Finding[] => findings.filter((finding) => finding.rule === rule && finding.file.endsWith(file));

  beforeAll(() => {
    findings = validateTemplates(resolveTargets([BROKEN_AMP], ROOT), { blocks, engine, cwd: ROOT }).templates[0]!.findings;
  });

  test('the engine reports !important at its exact line and column, with the spec URL', () => {
    const expected = locate(BROKEN_AMP, '!important');
    const important = at('amp').filter((finding) => /!important/.test(finding.message));
    expect(important).toEqual([
      expect.objectContaining({ line: expected.line, col: expected.col, severity: 'error', specUrl: expect.stringMatching(/^https:\/\/amp\.dev\//) }),
    ]);
    // Our own !important check stays quiet where the engine already spoke.
    expect(at('important')).toEqual([]);
  });

  test('the engine reports the disallowed iframe on its line', () => {
    const expected = locate(BROKEN_AMP, '<iframe');
    expect(at('amp').find((finding) => /iframe/.test(finding.message))).toMatchObject({ line: expected.line, col: expected.col, severity: 'error' });
  });

  test('an amp-list without a fallback is reported at that amp-list', () => {
    const expected = locate(BROKEN_AMP, '<amp-list layout="fixed-height" height="100" src="%%OPENTIME_BASE_URL%%/amp/v1/blocks/flash-countdown');
    expect(at('amp-list-fallback')).toEqual([expect.objectContaining({ line: expected.line, col: 1, message: expect.stringContaining('"flash-countdown" has no fallback') })]);
  });

  test('an amp-list naming a block missing from the config is reported at its src', () => {
    const expected = locate(BROKEN_AMP, '%%OPENTIME_BASE_URL%%/amp/v1/blocks/no-such-block');
    expect(at('unknown-block')).toEqual([expect.objectContaining({ line: expected.line, col: expected.col, message: expect.stringContaining('"no-such-block"') })]);
  });

  test('a misspelt placeholder is reported, and the URL it broke lacks the token', () => {
    const expected = locate(BROKEN_AMP, '%%OPENTIME_TOKN%%');
    expect(at('placeholder')).toEqual([expect.objectContaining({ line: expected.line, col: expected.col })]);
    expect(at('token')).toEqual([expect.objectContaining({ line: expected.line })]);
  });

  test('HTML images out of order, and an unlinked image, are reported in the HTML part', () => {
    const html = path.join(FIXTURES, 'c-broken.html');
    const first = locate(html, '<img src="%%OPENTIME_BASE_URL%%/img/v1/blocks/picks.png');
    const unlinked = locate(html, '<img src="%%OPENTIME_BASE_URL%%/img/v1/blocks/flash-countdown.gif');
    expect(at('html-blocks', 'c-broken.html')).toEqual([
      expect.objectContaining({ line: first.line, col: first.col, message: expect.stringContaining('Image 1 shows block "picks" where the AMP part\'s block 1 is "flash-countdown"') }),
    ]);
    expect(at('html-link', 'c-broken.html')).toEqual([expect.objectContaining({ line: unlinked.line, col: unlinked.col, message: expect.stringContaining('is not linked') })]);
  });

  test('a text-part link without the token is reported', () => {
    expect(at('token', 'c-broken.txt')).toEqual([expect.objectContaining({ line: 1, col: 9 })]);
  });

  test('runValidate prints file:line:col, message and spec URL, then a FAIL summary, and resolves to 1', async () => {
    const out = collect();
    const code = await runValidate([path.relative(ROOT, BROKEN_AMP)], { env: ENV, cwd: ROOT, out: out.stream });
    const important = locate(BROKEN_AMP, '!important');
    expect(out.text()).toContain(
      `test/fixtures/c-broken.amp.html:${important.line}:${important.col}: error: Usage of the !important CSS qualifier is not allowed. (https://amp.dev/`,
    );
    expect(out.text()).toMatch(/\nFAIL: 1 template \(c-broken\), 9 errors, 0 warnings\. AMP4EMAIL engine: pinned/);
    expect(code).toBe(1);
  });

  test('`opentime validate <broken>` through the CLI sets exit code 1', async () => {
    const previous = process.exitCode;
    const previousBlocks = process.env.OPENTIME_BLOCKS;
    process.env.OPENTIME_BLOCKS = BLOCKS_FILE;
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await buildCli().parseAsync(['node', 'opentime', 'validate', BROKEN_AMP]);
      expect(process.exitCode).toBe(1);
      await buildCli().parseAsync(['node', 'opentime', 'validate', path.join(TEMPLATES, 'flash-sale.amp.html')]);
      expect(process.exitCode).toBe(0);
    } finally {
      write.mockRestore();
      process.exitCode = previous;
      if (previousBlocks === undefined) delete process.env.OPENTIME_BLOCKS;
      else process.env.OPENTIME_BLOCKS = previousBlocks;
    }
  });

  const built = path.join(ROOT, 'dist', 'src', 'cli.js');
  (fs.existsSync(built) ? test : test.skip)('the built CLI exits 1 on the broken template and 0 on a shipped one (npm test builds first)', () => {
    const run = (file: string) =>
      spawnSync(process.execPath, [path.join(ROOT, 'bin', 'opentime.js'), 'validate', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const broken = run(BROKEN_AMP);
    expect(broken.stdout).toMatch(/FAIL: 1 template \(c-broken\)/);
    expect(broken.status).toBe(1);
    const good = run(path.join(TEMPLATES, 'loyalty-update.amp.html'));
    expect(good.stdout).toMatch(/PASS: 1 template \(loyalty-update\)/);
    expect(good.status).toBe(0);
  }, 60_000);
});

describe('an image map over a fluid picture (test/fixtures/picks-image-map.*: the loyalty update as it once shipped)', () => {
  const HTML = path.join(FIXTURES, 'picks-image-map.html');

  test('`opentime validate` refuses it at the usemap, saying to cut the picture into per-card parts (?slot=)', async () => {
    const out = collect();
    const code = await runValidate([path.relative(ROOT, HTML)], { env: ENV, cwd: ROOT, out: out.stream });
    const usemap = locate(HTML, 'usemap="#picks-cards"');
    const lines = out.text().split('\n');
    expect(lines.filter((line) => / error: /.test(line))).toEqual([
      expect.stringContaining(`test/fixtures/picks-image-map.html:${usemap.line}:${usemap.col}: error: The image of block "picks" uses an image map (usemap="#picks-cards") but scales with the layout (style width:100%)`),
    ]);
    expect(out.text()).toContain('Cut the picture into per-card parts instead: ?slot=header for the title band, and one ?slot=N image per card');
    expect(out.text()).toMatch(/\nFAIL: 1 template \(picks-image-map\), 1 error, 0 warnings\./);
    expect(code).toBe(1);
  });
});

describe('Opentime checks on small documents', () => {
  const page = (body: string, css = ''): string =>
    `<!doctype html><html ⚡4email data-css-strict><head><meta charset="utf-8"><style amp-custom>${css}</style></head><body>\n${body}\n</body></html>`;
  const list = (id: string, extra = '<div placeholder>…</div><div fallback>…</div>'): string =>
    `<amp-list layout="fixed-height" height="90" src="%%OPENTIME_BASE_URL%%/amp/v1/blocks/${id}?t=%%OPENTIME_TOKEN%%"><template type="amp-mustache">x</template>${extra}</amp-list>`;
  const linked = (id: string, format = 'png'): string =>
    `<a href="%%OPENTIME_BASE_URL%%/c/v1/blocks/${id}/0?t=%%OPENTIME_TOKEN%%"><img src="%%OPENTIME_BASE_URL%%/img/v1/blocks/${id}.${format}?t=%%OPENTIME_TOKEN%%"></a>`;
  const check = (amp: string, html: string | null, text: string | null = ''): Finding[] =>
    checkTemplate({ ampFile: 'a.amp.html', htmlFile: 'a.html', textFile: 'a.txt', amp, html, text }, { blocks });

  test('matching parts pass', () => {
    expect(check(page(list('hero-product') + list('loyalty-status')), page(linked('hero-product') + linked('loyalty-status')))).toEqual([]);
  });

  test('a missing HTML part is an error, a missing text part a warning', () => {
    const findings = check(page(list('hero-product')), null, null);
    expect(findings.map((finding) => [finding.rule, finding.severity])).toEqual([
      ['html-part', 'error'],
      ['text-part', 'warning'],
    ]);
  });

  test('an AMP block without its image in the HTML part is reported', () => {
    const findings = check(page(list('hero-product') + list('loyalty-status')), page(linked('hero-product')));
    expect(findings).toEqual([expect.objectContaining({ rule: 'html-blocks', message: expect.stringContaining('No image for the AMP part\'s block 2 ("loyalty-status")') })]);
  });

  test('a missing placeholder is a warning', () => {
    expect(check(page(list('hero-product', '<div fallback>…</div>')), page(linked('hero-product')))).toEqual([
      expect.objectContaining({ rule: 'amp-list-placeholder', severity: 'warning', line: 2 }),
    ]);
  });

  test('an image map on a picture of fixed pixel size must link every card of a recommendations block', () => {
    const area = (slot: number): string => `<area href="%%OPENTIME_BASE_URL%%/c/v1/blocks/picks/${slot}?t=%%OPENTIME_TOKEN%%">`;
    const html = (areas: string): string =>
      page(`<img src="%%OPENTIME_BASE_URL%%/img/v1/blocks/picks.png?t=%%OPENTIME_TOKEN%%" width="600" height="360" usemap="#m"><map name="m">${areas}</map>`);
    expect(check(page(list('picks')), html([0, 1, 2, 3].map(area).join('')))).toEqual([]);
    expect(check(page(list('picks')), html([0, 1, 3].map(area).join('')))).toEqual([
      expect.objectContaining({ rule: 'html-link', message: expect.stringContaining('no area for slot 2') }),
    ]);
    expect(check(page(list('picks')), html([0, 1, 2, 3, 4].map(area).join('')))).toEqual([
      expect.objectContaining({ rule: 'html-link', message: expect.stringContaining('Slot 4 is out of range for block "picks": expected 0..3') }),
    ]);
  });

  test('an image map on a picture that scales with the layout is refused, whatever makes it scale', () => {
    const areas = [0, 1, 2, 3].map((slot) => `<area href="%%OPENTIME_BASE_URL%%/c/v1/blocks/picks/${slot}?t=%%OPENTIME_TOKEN%%">`).join('');
    const mapped = (attributes: string, css = ''): string =>
      `<!doctype html><html><head><style>${css}</style></head><body>\n<img src="%%OPENTIME_BASE_URL%%/img/v1/blocks/picks.png?t=%%OPENTIME_TOKEN%%" ${attributes} usemap="#m"><map name="m">${areas}</map>\n</body></html>`;
    const refusal = (attributes: string, css = ''): string[] =>
      check(page(list('picks')), mapped(attributes, css))
        .filter((finding) => finding.rule === 'image-map')
        .map((finding) => /but scales with the layout \(([^)]*)\)/.exec(finding.message)?.[1] ?? finding.message);
    expect(refusal('width="600" style="width:100%"')).toEqual(['style width:100%']);
    expect(refusal('width="600" style="max-width:600px"')).toEqual(['style max-width:600px']);
    expect(refusal('width="600" style="height:auto"')).toEqual(['style height:auto']);
    expect(refusal('')).toEqual(['no fixed pixel width']);
    expect(refusal('width="600"', 'img { max-width: 100% !important; }')).toEqual(['<style> rule "img" max-width:100%']);
    expect(refusal('width="600" class="fluid"', '@media (max-width: 620px) { .fluid { width: 100% } }')).toEqual(['<style> rule ".fluid" width:100%']);
    // Fixed pixel size: the coordinates hold, the map is accepted (rules for other elements do not count).
    expect(refusal('width="600" height="360"', '.other { width: 100% } a img.other { max-width: 100% }')).toEqual([]);
    expect(refusal('style="width:600px"')).toEqual([]);
  });

  test('a picture cut into parts (?slot=) counts once, and each card part must link its own slot', () => {
    const card = (slot: number, linkSlot = slot): string =>
      `<a href="%%OPENTIME_BASE_URL%%/c/v1/blocks/picks/${linkSlot}?t=%%OPENTIME_TOKEN%%"><img src="%%OPENTIME_BASE_URL%%/img/v1/blocks/picks.png?slot=${slot}&amp;t=%%OPENTIME_TOKEN%%"></a>`;
    const header = '<img src="%%OPENTIME_BASE_URL%%/img/v1/blocks/picks.png?slot=header&amp;t=%%OPENTIME_TOKEN%%">';
    const amp = page(list('hero-product') + list('picks'));
    const parted = (cards: string): string => page(linked('hero-product') + header + cards);
    expect(check(amp, parted([0, 1, 2, 3].map((slot) => card(slot)).join('')))).toEqual([]);
    expect(check(amp, parted([0, 1, 3].map((slot) => card(slot)).join('')))).toEqual([
      expect.objectContaining({ rule: 'html-link', message: expect.stringContaining('no linked card part shows slot 2') }),
    ]);
    expect(check(amp, parted(card(0) + card(1) + card(2, 3) + card(3)))).toEqual([
      expect.objectContaining({ rule: 'html-link', message: expect.stringContaining('The card part slot=2 of block "picks" must be wrapped in <a href="%%OPENTIME_BASE_URL%%/c/v1/blocks/picks/2') }),
      expect.objectContaining({ rule: 'html-link', message: expect.stringContaining('no linked card part shows slot 2') }),
    ]);
    const bad = '<img src="%%OPENTIME_BASE_URL%%/img/v1/blocks/picks.png?slot=middle&amp;t=%%OPENTIME_TOKEN%%">';
    expect(check(amp, parted([0, 1, 2, 3].map((slot) => card(slot)).join('') + bad))).toEqual([
      expect.objectContaining({ rule: 'html-image', message: expect.stringContaining('expected slot=header or a card slot number') }),
    ]);
  });

  test('size limits: inline style over 1,000 bytes, CSS over 75,000 bytes, AMP part over 200,000 bytes', () => {
    const style = (size: number): string => `<p style="${'m'.repeat(size - 'color:#000'.length)}color:#000">x</p>`;
    expect(check(page(list('hero-product') + style(1000)), page(linked('hero-product')))).toEqual([]);
    expect(check(page(list('hero-product') + style(1001)), page(linked('hero-product')))).toEqual([
      expect.objectContaining({ rule: 'inline-style-size', line: 2, message: 'Inline style attribute of 1,001 bytes; the limit is 1,000.' }),
    ]);
    const css = (rules: number): string => `.a{color:#000}\n`.repeat(rules); // 15 bytes each
    expect(check(page(list('hero-product'), css(5000)), page(linked('hero-product')))).toEqual([]);
    expect(check(page(list('hero-product'), css(5001)), page(linked('hero-product')))).toEqual([
      expect.objectContaining({ rule: 'css-size', message: '<style amp-custom> holds 75,015 bytes; the limit is 75,000.' }),
    ]);
    const big = `<p>${'x'.repeat(200_100)}</p>`;
    expect(check(page(list('hero-product') + big), page(linked('hero-product'))).map((finding) => finding.rule)).toEqual(['size']);
  });

  test('the size estimate counts the real token length: close to the limit fails once tokens are filled in', () => {
    const lists = Array.from({ length: 20 }, () => list('hero-product')).join('');
    const images = Array.from({ length: 20 }, () => linked('hero-product')).join('');
    const filler = `<p>${'x'.repeat(200_000 - Buffer.byteLength(page(lists + '<p></p>')) - 10)}</p>`;
    expect(check(page(lists + filler), page(images))).toEqual([
      expect.objectContaining({ rule: 'size', message: expect.stringMatching(/bytes, about [\d,]+ once tokens and the base URL are filled in/) }),
    ]);
  });

  test('a hard-coded token or origin is flagged', () => {
    const amp = page(`<amp-list src="https://opentime.shop.example/amp/v1/blocks/hero-product?t=abc" layout="fixed-height" height="9"><div placeholder></div><div fallback></div></amp-list>`);
    expect(check(amp, page(linked('hero-product'))).map((finding) => [finding.rule, finding.severity])).toEqual([
      ['token', 'error'],
      ['base-url', 'warning'],
    ]);
  });
});

describe('the pinned engine', () => {
  test('the vendored file matches the pinned checksum and size', () => {
    const bytes = fs.readFileSync(pinnedEnginePath());
    expect(bytes.length).toBe(PINNED_AMP_VALIDATOR.bytes);
    expect(sha256Of(bytes)).toBe(PINNED_AMP_VALIDATOR.sha256);
  });

  test('a tampered copy is refused with a message naming both checksums', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-engine-'));
    const copy = path.join(dir, 'validator_wasm.js');
    fs.writeFileSync(copy, Buffer.concat([fs.readFileSync(pinnedEnginePath()), Buffer.from('\n// edited\n')]));
    try {
      expect(() => verifyPinnedEngine(copy)).toThrow(EngineLoadError);
      expect(() => verifyPinnedEngine(copy)).toThrow(new RegExp(`expected sha256 ${PINNED_AMP_VALIDATOR.sha256}[\\s\\S]*received sha256 [0-9a-f]{64}`));
      await expect(loadEngine('pinned', { pinnedFile: copy })).rejects.toThrow(/does not match its pinned checksum/);
      await expect(loadEngine('pinned', { pinnedFile: path.join(dir, 'missing.js') })).rejects.toThrow(/Cannot read the pinned AMP validator engine/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('OPENTIME_AMP_VALIDATOR selects the engine', () => {
    expect(engineSourceFromEnv({})).toBe('pinned');
    expect(engineSourceFromEnv({ OPENTIME_AMP_VALIDATOR: 'pinned' })).toBe('pinned');
    expect(engineSourceFromEnv({ OPENTIME_AMP_VALIDATOR: 'cdn' })).toBe('cdn');
    expect(() => engineSourceFromEnv({ OPENTIME_AMP_VALIDATOR: 'newest' })).toThrow(/Expected "pinned" \(default\) or "cdn"/);
  });

  test('the engine itself fails an invalid AMP4EMAIL document and passes a minimal valid one', () => {
    const minimal =
      '<!doctype html><html ⚡4email data-css-strict><head><meta charset="utf-8"><script async src="https://cdn.ampproject.org/v0.js"></script>' +
      '<style amp4email-boilerplate>body{visibility:hidden}</style></head><body>Hello</body></html>';
    expect(engine.validateAmp4Email(minimal)).toEqual([]);
    expect(engine.validateAmp4Email(minimal.replace('<meta charset="utf-8">', ''))).toEqual(
      expect.arrayContaining([expect.objectContaining({ severity: 'error', code: 'MANDATORY_TAG_MISSING' })]),
    );
  });
});

describe('the HTML scanner', () => {
  test('finds nesting, attributes with entities, raw text and positions', () => {
    const source = '<div a="1 &amp; 2" b=\'x\' fallback>\n  <p>hi <img src=x.png></p><script>if (a < b) {}</script>\n  <!-- <img src="no"> -->\n</div>';
    const doc = scanHtml(source);
    expect(doc.elements.map((element) => element.name)).toEqual(['div', 'p', 'img', 'script']);
    const [div, p, img, script] = doc.elements;
    expect(div!.attributes.map((a) => [a.name, a.value])).toEqual([
      ['a', '1 & 2'],
      ['b', 'x'],
      ['fallback', ''],
    ]);
    expect(img!.parent).toBe(p);
    expect(p!.parent).toBe(div);
    expect(script!.text).toBe('if (a < b) {}');
    expect(doc.position(img!.offset)).toEqual({ line: 2, col: 9 });
  });
});
