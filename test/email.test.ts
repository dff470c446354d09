import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { runEmail } from '../src/commands/email';
import { runExport } from '../src/commands/export';
import { loadConfig } from '../src/config';
import { seedDemoDataIfEmpty } from '../src/data/seed';
import { parseOpentimeUrl } from '../src/email/opentime-urls';
import { openStorage } from '../src/storage/open-storage';
import { keyringFromConfig } from '../src/tokens/keyring-from-config';
import { verifySubscriberToken } from '../src/tokens/subscriber-token';
import { loadEngine } from '../src/validate/engine';
import { BASE, cliEnvironment, ROOT, textSink } from './helpers/cli-environment';
import { startSmtpSink } from './helpers/smtp-sink';


interface MimePart {
  contentType: string;
  transferEncoding: string;
  body: string;
}

function headerValue(headers: string, name: string): string {
  const unfolded = headers.replace(/\r?\n[ \t]+/g, ' ');
  const match = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(unfolded);
  return match ? (match[1] as string).trim() : '';
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** A deliberately simple reading of a one-level multipart message, independent of mailparser: parts in their order. */
function splitMessage(raw: string): { headers: string; parts: MimePart[] } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split);
  const contentType = headerValue(headers, 'Content-Type');
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new Error(`not multipart: ${contentType}`);
  const body = raw.slice(split + 4);
  const sections = body.split(`--${boundary}`);
  // sections[0] is the preamble, the last one starts with "--" (the closing delimiter).
  const parts = sections.slice(1, -1).map((section) => {
    const text = section.replace(/^\r\n/, '');
    const end = text.indexOf('\r\n\r\n');
    const partHeaders = text.slice(0, end);
    const encoding = headerValue(partHeaders, 'Content-Transfer-Encoding').toLowerCase();
    const content = text.slice(end + 4).replace(/\r\n$/, '');
    return {
      contentType: headerValue(partHeaders, 'Content-Type'),
      transferEncoding: encoding,
      body: encoding === 'quoted-printable' ? decodeQuotedPrintable(content) : encoding === 'base64' ? Buffer.from(content, 'base64').toString('utf8') : content,
    };
  });
  expect(sections[sections.length - 1]).toMatch(/^--/);
  return { headers, parts };
}

function opentimeUrls(text: string): string[] {
  return [...text.matchAll(/https:\/\/opentime\.shop\.example\/[^\s"'<>]+/g)].map((match) => match[0].replace(/&amp;/g, '&'));
}


const environment = cliEnvironment('opentime-email-');

function verify(token: string | null) {
  const config = loadConfig(environment.env(), ROOT);
  return verifySubscriberToken(keyringFromConfig(config), token ?? undefined, { audience: config.tokenAudience });
}

describe('opentime email', () => {
  let raw: string;
  let stderr: ReturnType<typeof textSink>;

  beforeAll(async () => {
    stderr = textSink();
    const out = path.join(environment.dir(), 'emma.eml');
    const code = await runEmail(
      { campaign: 'flash-sale', subscriber: 'sub-emma', to: 'emma@example.com', out, now: new Date() },
      { env: environment.env(), cwd: ROOT, stderr },
    );
    expect(code).toBe(0);
    raw = fs.readFileSync(out, 'utf8');
  }, 60_000);

  test('is one multipart/alternative message with text/plain, text/x-amp-html and text/html, in that order', () => {
    const { headers, parts } = splitMessage(raw);
    expect(headerValue(headers, 'MIME-Version')).toBe('1.0');
    expect(headerValue(headers, 'Content-Type')).toMatch(/^multipart\/alternative;/);
    expect(headerValue(headers, 'From')).toBe('news@shop.example');
    expect(headerValue(headers, 'To')).toBe('emma@example.com');
    expect(headerValue(headers, 'Subject')).toBe('The Flash Sale: up to 40% off, 72 hours only');
    expect(headerValue(headers, 'Date')).not.toBe('');
    expect(headerValue(headers, 'Message-ID')).toMatch(/^<.+@shop\.example>$/);
    expect(parts.map((part) => part.contentType.split(';')[0])).toEqual(['text/plain', 'text/x-amp-html', 'text/html']);
    for (const part of parts) expect(part.contentType).toMatch(/charset=utf-8/i);
  });

  test('mailparser reads the same parts: text, html, and the AMP part', async () => {
    const parsed = await simpleParser(raw);
    const { parts } = splitMessage(raw);
    expect(parsed.subject).toBe('The Flash Sale: up to 40% off, 72 hours only');
    expect(parsed.text?.trim()).toBe(parts[0]!.body.trim());
    expect(typeof parsed.html === 'string' ? parsed.html.trim() : null).toBe(parts[2]!.body.trim());
    const amp = parsed.attachments.find((attachment) => attachment.contentType === 'text/x-amp-html');
    expect(amp?.content.toString('utf8').trim()).toBe(parts[1]!.body.trim());
  });

  test("every Opentime URL in every part carries a token that verifies for this subscriber and campaign", () => {
    const { parts } = splitMessage(raw);
    const expected = {
      'text/plain': { click: 6 },
      'text/x-amp-html': { amp: 3, image: 1 }, // the countdown's GIF in amp-anim
      // Picks in five parts: its title band and four linked cards; every picture twice, wide and narrow for phones (README "Phones").
      'text/html': { image: 14, click: 12 },
    } as Record<string, Record<string, number>>;
    for (const part of parts) {
      const type = part.contentType.split(';')[0] as string;
      const counts: Record<string, number> = {};
      for (const url of opentimeUrls(part.body)) {
        const parsed = parseOpentimeUrl(url);
        expect(parsed).not.toBeNull();
        counts[parsed!.kind] = (counts[parsed!.kind] ?? 0) + 1;
        const claims = verify(parsed!.token);
        expect(claims).toMatchObject({ subscriberId: 'sub-emma', campaignId: 'flash-sale' });
      }
      expect({ type, counts }).toEqual({ type, counts: expected[type] });
      expect(part.body).not.toContain('%%OPENTIME_');
    }
  });

  test('the AMP part is blocks flash-countdown, hero-product and picks; the HTML images match them in order', () => {
    const { parts } = splitMessage(raw);
    const blocksOf = (body: string, kind: string): string[] =>
      opentimeUrls(body)
        .map((url) => parseOpentimeUrl(url))
        .filter((url) => url?.kind === kind)
        .map((url) => url!.blockId);
    expect(blocksOf(parts[1]!.body, 'amp')).toEqual(['flash-countdown', 'hero-product', 'picks']);
    // The parts of one picture (?slot=) follow one another: one block.
    expect(blocksOf(parts[2]!.body, 'image').filter((id, index, all) => id !== all[index - 1])).toEqual(['flash-countdown', 'hero-product', 'picks']);
    const picks = opentimeUrls(parts[2]!.body)
      .map((url) => parseOpentimeUrl(url))
      .filter((url) => url?.kind === 'image' && url.blockId === 'picks') as { part?: unknown; layout: string }[];
    expect(picks.filter((url) => url.layout === 'wide').map((url) => url.part)).toEqual(['header', 0, 1, 2, 3]);
    // Phones show the narrow picture's parts instead (README "Phones"): its title band, then one full-width row per card.
    expect(picks.filter((url) => url.layout === 'narrow').map((url) => url.part)).toEqual(['header', 0, 1, 2, 3]);
    expect(parts[2]!.body).toContain(`${BASE}/img/v1/blocks/flash-countdown.gif?t=`);
  });

  test('the filled-in AMP part passes the official AMP4EMAIL engine', async () => {
    const engine = await loadEngine('pinned');
    expect(engine.validateAmp4Email(splitMessage(raw).parts[1]!.body)).toEqual([]);
  }, 60_000);

  test('a token for another subscriber does not pass for Emma (the check can fail)', async () => {
    const out = path.join(environment.dir(), 'lena.eml');
    await runEmail({ campaign: 'flash-sale', subscriber: 'sub-lena', template: 'loyalty-update', out, validate: false }, { env: environment.env(), cwd: ROOT, stderr: textSink() });
    const lena = splitMessage(fs.readFileSync(out, 'utf8'));
    const token = parseOpentimeUrl(opentimeUrls(lena.parts[1]!.body)[0]!)!.token;
    expect(verify(token).subscriberId).toBe('sub-lena');
    expect(verify(token).subscriberId).not.toBe('sub-emma');
    expect(headerValue(lena.headers, 'Subject')).toBe('Your rewards update: your points and picks for you');
    expect(opentimeUrls(lena.parts[1]!.body).map((url) => parseOpentimeUrl(url)!.blockId)).toEqual(['welcome-banner', 'loyalty-status', 'picks']);
  });

  test('an invalid template is refused with its findings, and nothing is written', async () => {
    const out = path.join(environment.dir(), 'broken.eml');
    const errors = textSink();
    const code = await runEmail(
      { campaign: 'flash-sale', subscriber: 'sub-emma', template: 'c-broken', templatesDir: path.join(__dirname, 'fixtures'), out },
      { env: environment.env(), cwd: ROOT, stderr: errors },
    );
    expect(code).toBe(1);
    expect(fs.existsSync(out)).toBe(false);
    expect(errors.text()).toMatch(/c-broken\.amp\.html:\d+:\d+: error: amp-list src names block "no-such-block"/);
    expect(errors.text()).toContain('not building the email');
  }, 60_000);

  test('it checks the recipient against the database: unknown subscriber or campaign, and a sender nobody allows, are warned about', async () => {
    const build = async (options: { subscriber: string; campaign?: string; from?: string }) => {
      const errors = textSink();
      const code = await runEmail(
        { campaign: options.campaign ?? 'flash-sale', subscriber: options.subscriber, template: 'flash-sale', out: path.join(environment.dir(), 'checked.eml'), validate: false, ...(options.from ? { from: options.from } : {}) },
        { env: environment.env(), cwd: ROOT, stderr: errors },
      );
      expect(code).toBe(0);
      return errors.text();
    };
    const databaseFile = loadConfig(environment.env(), ROOT).databaseFile;
    expect(await build({ subscriber: 'sub-emma' })).toContain(`no database at ${databaseFile}`);

    const storage = await openStorage({ databaseFile, freshnessMs: 0 });
    await seedDemoDataIfEmpty(storage, { baseUrl: BASE, now: new Date() });
    await storage.close();
    const known = await build({ subscriber: 'sub-emma' });
    expect(known).not.toContain('warning');
    expect(known).toContain('Checked: subscriber, campaign and AMP-Email-Sender news@shop.example are known');
    expect(await build({ subscriber: 'sub-nobody' })).toContain('warning: subscriber "sub-nobody" is not in the store');
    expect(await build({ subscriber: 'sub-emma', campaign: 'no-such-campaign' })).toContain('warning: campaign "no-such-campaign" is not in the store');
    expect(await build({ subscriber: 'sub-emma', from: 'promo@elsewhere.example' })).toContain(
      'warning: AMP-Email-Sender promo@elsewhere.example is allowed neither by OPENTIME_ALLOWED_SENDERS nor by campaign "flash-sale"',
    );
    // A campaign list the server would refuse is a warning here, not a failed command after the email was written.
    const writable = await openStorage({ databaseFile, freshnessMs: 0 });
    await writable.campaigns.upsertCampaigns([{ id: 'bad-list', name: 'Bad list', endsAt: null, allowedSenders: ['not an address at all'], markets: [], templates: [], updatedAt: '2026-01-01T00:00:00.000Z' }]);
    await writable.close();
    const badList = await build({ subscriber: 'sub-emma', campaign: 'bad-list' });
    expect(badList).toMatch(/warning: .*campaign "bad-list" senders/);
    expect(badList).toContain('warning: AMP-Email-Sender news@shop.example is allowed neither');
  });

  test('without --template, a campaign with no template of its name is refused with the choices', async () => {
    await expect(runEmail({ campaign: 'spring-sale', subscriber: 'sub-emma' }, { env: environment.env(), cwd: ROOT, stderr: textSink() })).rejects.toThrow(
      /No template is named after campaign "spring-sale"; choose one with --template <name>\. Available: flash-sale, loyalty-update, style-survey, welcome/,
    );
  });

  test('--smtp sends the same message over SMTP', async () => {
    const smtp = await startSmtpSink();
    const errors = textSink();
    try {
      const code = await runEmail(
        { campaign: 'flash-sale', subscriber: 'sub-emma', to: 'emma@example.com', smtp: smtp.url, validate: false },
        { env: environment.env(), cwd: ROOT, stderr: errors, stdout: textSink() },
      );
      expect(code).toBe(0);
    } finally {
      await smtp.close();
    }
    expect(smtp.received).toHaveLength(1);
    const received = smtp.received[0]!;
    expect(received.from).toMatch(/<news@shop\.example>/);
    expect(received.to).toEqual([expect.stringMatching(/<emma@example\.com>/)]);
    const { parts } = splitMessage(received.data);
    expect(parts.map((part) => part.contentType.split(';')[0])).toEqual(['text/plain', 'text/x-amp-html', 'text/html']);
    expect(verify(parseOpentimeUrl(opentimeUrls(parts[2]!.body)[0]!)!.token).subscriberId).toBe('sub-emma');
    expect(errors.text()).toContain('Sent to emma@example.com via SMTP: 250 OK queued');
  }, 60_000);
});

describe('opentime export', () => {
  test.each([
    ['mailchimp', '*|OT_TOKEN|*'],
    ['sfmc', '%%opentime_token%%'],
    ['braze', '{{custom_attribute.${opentime_token}}}'],
    ['klaviyo', "{{ person|lookup:'opentime_token' }}"],
  ] as const)('--esp %s writes the base URL and the merge tag %s into all three parts', async (esp, tag) => {
    const outDir = path.join(environment.dir(), `export-${esp}`);
    const code = await runExport({ template: 'loyalty-update', outDir, esp, validate: false }, { env: environment.env(), cwd: ROOT, stderr: textSink() });
    expect(code).toBe(0);
    for (const suffix of ['.amp.html', '.html', '.txt']) {
      const text = fs.readFileSync(path.join(outDir, `loyalty-update${suffix}`), 'utf8');
      expect(text).not.toContain('%%OPENTIME_');
      expect(text).toContain(`${BASE}/`);
      expect(text).toContain(`?t=${tag}`);
    }
    const amp = fs.readFileSync(path.join(outDir, 'loyalty-update.amp.html'), 'utf8');
    expect(amp).toContain(`src="${BASE}/amp/v1/blocks/loyalty-status?t=${tag}"`);
  });

  test('without --esp or --token-tag it says which to give', async () => {
    await expect(runExport({ template: 'flash-sale', outDir: path.join(environment.dir(), 'export-none') }, { env: environment.env(), cwd: ROOT, stderr: textSink() })).rejects.toThrow(
      /--esp mailchimp\|sfmc\|braze\|klaviyo, or --token-tag <tag>/,
    );
  });
});
