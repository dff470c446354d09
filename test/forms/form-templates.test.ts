import fs from 'node:fs';
import path from 'node:path';
import { loadBlocksConfig } from '../../src/blocks/blocks-config';
import { loadFormsConfig } from '../../src/forms/forms-config';
import { templateFilesFor } from '../../src/email/templates';
import { checkTemplate } from '../../src/validate/checks';
import { loadEngine } from '../../src/validate/engine';
import { validateTemplate } from '../../src/validate/validate';

const ROOT = path.join(__dirname, '..', '..');
const blocks = loadBlocksConfig(path.join(ROOT, 'config', 'blocks.yaml'));
const forms = loadFormsConfig(path.join(ROOT, 'config', 'forms.yaml'));
const read = (file: string): string => fs.readFileSync(path.join(ROOT, 'amp-templates', file), 'utf8');

describe('the demo forms template (amp-templates/style-survey)', () => {
  it('passes the official validator in AMP4EMAIL mode and every Opentime check, forms included', async () => {
    const engine = await loadEngine('pinned');
    const files = templateFilesFor(path.join(ROOT, 'amp-templates', 'style-survey.amp.html'));
    if (!files) throw new Error('no template');
    const report = validateTemplate(files, { blocks, forms, engine, cwd: ROOT });
    expect(report.findings).toEqual([]);
  });

  const check = (amp: string, html = read('style-survey.html')) =>
    checkTemplate({ ampFile: 'a.amp.html', htmlFile: 'a.html', textFile: 'a.txt', amp, html, text: read('style-survey.txt') }, { blocks, forms });

  it('a form without submit-error, one posting to an unknown form, and a poll without its link version are reported', () => {
    const amp = read('style-survey.amp.html')
      .replace('/amp/v1/forms/back-in-stock?', '/amp/v1/forms/back-in-stok?')
      .replace(/<div submit-error>\s*<template type="amp-mustache">\s*<p class="error">\{\{error.message\}\} \{\{error.detail\}\}<\/p>\s*<\/template>\s*<\/div>/, '');
    const html = read('style-survey.html').replace(/<p><a href="[^"]*style-poll[^"]*">[^<]*<\/a><\/p>/g, '');
    const messages = check(amp, html).map((finding) => `${finding.severity}: ${finding.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'error: Form "style-poll" has no <div submit-error> with an amp-mustache <template>: the reader would see nothing after submitting.',
        'error: A form posts to form "back-in-stok", which is not in the forms config. Known forms: style-poll, email-rating, back-in-stock, preferences.',
        expect.stringMatching(/^warning: The AMP part has poll "style-poll" but the HTML part has no link vote for it/),
      ]),
    );
  });

  it('a link vote for an answer the poll does not have is an error', () => {
    const html = read('style-survey.html').replace('/style-poll/bold?', '/style-poll/purple?');
    expect(check(read('style-survey.amp.html'), html).map((finding) => finding.message)).toContain('A link votes "purple" in "style-poll"; expected one of: classic, bold, minimal.');
  });
});
