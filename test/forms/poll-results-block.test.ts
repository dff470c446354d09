import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp, type OpentimeApp } from '../../src/app';
import { loadBlocksConfig } from '../../src/blocks/blocks-config';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { loadFormsConfig } from '../../src/forms/forms-config';
import { SenderAllowlist } from '../../src/http/sender-allowlist';
import type { PollResultsView } from '../../src/kinds/poll-results';
import { createLogger } from '../../src/log';
import { drawBlock } from '../../src/render/draw-block';
import { DrawLog } from '../../src/render/draw-log';
import { defaultTheme } from '../../src/render/theme';
import { withCatalogueCache } from '../../src/storage/cache/with-catalogue-cache';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import { signSubscriberToken } from '../../src/tokens/subscriber-token';
import { AUDIENCE, FIXED_NOW, SENDER, testKeyring } from '../helpers/app-fixture';
import { startPixelmatch, type Pixelmatcher } from '../helpers/render-fixtures';

const ROOT = path.join(__dirname, '..', '..');
const GOLDEN_DIR = path.join(ROOT, 'test', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

describe('the poll-results block: live results as JSON and as a picture that agree', () => {
  let storage: Storage;
  let app: OpentimeApp;
  let pixelmatch: Pixelmatcher;
  const token = (subscriberId: string): string => signSubscriberToken(testKeyring, { subscriberId, campaignId: 'flash-sale' }, { audience: AUDIENCE, now: FIXED_NOW });
  const vote = (subscriberId: string, answer: string) =>
    request(app).post(`/amp/v1/forms/style-poll?t=${token(subscriberId)}`).set('AMP-Email-Sender', SENDER).type('form').send(`answer=${answer}`).expect(200);

  beforeAll(() => {
    pixelmatch = startPixelmatch();
  });
  afterAll(() => pixelmatch.close());
  beforeEach(async () => {
    storage = withCatalogueCache(openSqliteStorage(':memory:'), { freshnessMs: 1000 });
    await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: FIXED_NOW });
    app = createApp({
      storage,
      // The demo's blocks: "style-results" is the block amp-templates/style-survey.* show.
      blocks: loadBlocksConfig(path.join(ROOT, 'config', 'blocks.yaml')),
      forms: loadFormsConfig(path.join(ROOT, 'config', 'forms.yaml')),
      keyring: testKeyring,
      tokenAudience: AUDIENCE,
      globalAllowlist: SenderAllowlist.parse([SENDER]),
      logger: createLogger('info', new Writable({ write: (_chunk, _encoding, callback) => callback() })),
      now: () => FIXED_NOW,
    });
  });
  afterEach(() => storage.close());

  async function blockJson(subscriberId: string): Promise<PollResultsView> {
    const res = await request(app).get(`/amp/v1/blocks/style-results?t=${token(subscriberId)}`).set('AMP-Email-Sender', SENDER).expect(200);
    return res.body.items[0] as PollResultsView;
  }

  it('the block JSON says what the form results say, and the picture draws every string of it, bars included', async () => {
    await vote('sub-emma', 'classic');
    await vote('sub-oliver', 'classic');
    await vote('sub-lena', 'bold');
    const view = await blockJson('sub-emma');
    expect(view).toMatchObject({
      kind: 'poll-results',
      question: 'Which look should lead our next drop?',
      totalText: '3 votes',
      answers: [
        { id: 'classic', label: 'Timeless classics', count: 2, percent: 67, percentText: '67%' },
        { id: 'bold', label: 'Bold colour', count: 1, percent: 33, percentText: '33%' },
        { id: 'minimal', label: 'Clean minimal', count: 0, percent: 0, percentText: '0%' },
      ],
    });
    const results = await request(app).get(`/amp/v1/forms/style-poll/results?t=${token('sub-emma')}`).set('AMP-Email-Sender', SENDER).expect(200);
    expect(results.body.items[0].answers.map((a: { count: number; percent: number }) => [a.count, a.percent])).toEqual(view.answers.map((a) => [a.count, a.percent]));

    const log = new DrawLog();
    const canvas = drawBlock(view, defaultTheme({ height: 300 }), { scale: 1, images: new Map(), drawLog: log });
    for (const text of [view.question, view.totalText, view.cta.label, ...view.answers.flatMap((a) => [a.label, a.percentText])]) expect(log.shows(text)).toBe(true);
    expect(log.shortened).toEqual([]);

    // The picture the HTML part shows is the same view.
    const image = await request(app).get(`/img/v1/blocks/style-results.png?t=${token('sub-emma')}`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(image.status).toBe(200);
    expect(image.headers['x-opentime-outcome']).toBe('view');
    const golden = path.join(GOLDEN_DIR, 'poll-results-en-US.png');
    if (UPDATE) fs.writeFileSync(golden, image.body as Buffer);
    const { different } = await pixelmatch.compare(fs.readFileSync(golden), image.body as Buffer, 0.1);
    expect(different).toBeLessThanOrEqual(600 * 300 * 0.005);
    expect((await pixelmatch.compare(canvas.toBuffer('image/png'), image.body as Buffer, 0.1)).different).toBe(0);
  });

  it('reads in the reader\'s language, and a generic open (no token) gets the fallback', async () => {
    await vote('sub-emma', 'bold');
    const lena = await blockJson('sub-lena');
    expect(lena.totalText).toBe('1 Stimme');
    expect(lena.answers[1]?.percentText).toBe(new Intl.NumberFormat('de-DE', { style: 'percent' }).format(1));
    expect(lena.cta.label).toBe('Jetzt abstimmen');
    await vote('sub-lena', 'classic');
    // Each demo language has its own words and plural forms (the start-up translations warning lists none for this block).
    expect(await blockJson('sub-layla')).toMatchObject({ totalText: 'صوتان', cta: { label: 'شارك برأيك' } });
    expect(await blockJson('sub-yui')).toMatchObject({ totalText: '2票', cta: { label: '投票する' } });
    expect((await blockJson('sub-rafael')).totalText).toBe('2 votos');
    const generic = await request(app).get('/img/v1/blocks/style-results.png');
    expect(generic.headers['x-opentime-outcome']).toBe('fallback');
  });

  it('the question and answers in the reader\'s language from the forms config\'s translations: block, answer and results endpoint alike', async () => {
    const lenaVote = await request(app).post(`/amp/v1/forms/style-poll?t=${token('sub-lena')}`).set('AMP-Email-Sender', SENDER).type('form').send('answer=bold').expect(200);
    expect(lenaVote.body).toMatchObject({ answerLabel: 'Kräftige Farben', results: { question: 'Welcher Look soll unsere nächste Kollektion prägen?' } });
    const lena = await blockJson('sub-lena');
    expect([lena.question, ...lena.answers.map((answer) => answer.label)]).toEqual(['Welcher Look soll unsere nächste Kollektion prägen?', 'Zeitlose Klassiker', 'Kräftige Farben', 'Klar und minimalistisch']);
    const results = await request(app).get(`/amp/v1/forms/style-poll/results?t=${token('sub-camille')}`).set('AMP-Email-Sender', SENDER).expect(200);
    expect(results.body.items[0].answers[1]).toMatchObject({ label: 'Couleurs vives', count: 1, percent: 100 });
    // English readers read the forms config's own words.
    expect((await blockJson('sub-oliver')).question).toBe('Which look should lead our next drop?');

    // Arabic: every string of the picture in Arabic, so it is laid out right to left.
    const layla = await blockJson('sub-layla');
    expect(layla).toMatchObject({ question: 'أي أسلوب يجب أن يقود مجموعتنا القادمة؟', totalText: 'صوت واحد', cta: { label: 'شارك برأيك' } });
    const log = new DrawLog();
    drawBlock(layla, defaultTheme({ height: 300 }), { scale: 1, images: new Map(), drawLog: log });
    for (const text of [layla.question, layla.totalText, layla.cta.label, ...layla.answers.flatMap((a) => [a.label, a.percentText])]) expect(log.shows(text)).toBe(true);
    expect(log.shortened).toEqual([]);
  });
});
