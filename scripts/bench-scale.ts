/**
 * `npm run bench:scale [-- section…]`: how Opentime scales with cores,
 * processes and databases. Sections: threads, burst, gif, workers, databases
 * (default: all, in that order). Every figure is a ratio against a baseline
 * measured in the same run, because the machines this runs on are shared and
 * their absolute speed drifts; the absolute numbers are printed for context.
 *
 * Environment (defaults in brackets): BENCH_DURATION seconds per timed load [6];
 * BENCH_SUBSCRIBERS subscribers for the threads, workers and databases loads
 * [5000]; BENCH_BURST_SUBSCRIBERS subscribers in the prefetch wave [1500];
 * BENCH_BURST_CONCURRENCY [64]; BENCH_CONNECTIONS for JSON loads [10];
 * BENCH_RENDER_CONNECTIONS for cold-render loads [8]; BENCH_GIF_CONNECTIONS [4];
 * BENCH_DATABASE_URL and BENCH_REDIS_URL for the databases section.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateDemoApiKey } from '../src/api/api-keys';
import { DEMO_CAMPAIGN_IDS } from '../src/data/demo-data';
import { packageRoot } from '../src/package-root';
import { loadOrCreateDemoKeys } from '../src/tokens/demo-keys';
import { Keyring } from '../src/tokens/keyring';
import { cycling, type LoadRequest } from './bench-load';
import { gifCampaignId, scaleSubscriberId, SCALE_SENDER, seedSqlite, seedThroughApi, tokenFor, BENCH_PUBLIC_URL } from './bench-scale-data';
import { describeTally, mergeTallies, RequestSource, runScaleLoad, type ScaleLoadOptions, type ScaleLoadResult, type Tally } from './bench-scale-load';
import { machineCpuSeconds, processTree, RssSampler, treeCpuSeconds, treeMemory } from './bench-scale-procs';
import { counterDelta, scrapeCounters, startScaleServer, takeLogs, type ScaleServer } from './bench-scale-server';

const numberFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number, got ${process.env[name]}`);
  return value;
};

const DURATION = numberFromEnv('BENCH_DURATION', 6);
const SUBSCRIBERS = Math.floor(numberFromEnv('BENCH_SUBSCRIBERS', 5_000));
/**
 * 1,500, not 20,000: seeding 20,000 takes a second, but a subscriber of the
 * demo email is seven image URLs, five of them cold renders of the personal
 * recommendations card, and the 2-core development machine answered about 13
 * subscribers a second (93 answers/s); 20,000 would take ~25 minutes alone.
 * BENCH_BURST_SUBSCRIBERS=20000 runs the full wave.
 */
const BURST_SUBSCRIBERS = Math.floor(numberFromEnv('BENCH_BURST_SUBSCRIBERS', 1_500));
const BURST_CONCURRENCY = Math.floor(numberFromEnv('BENCH_BURST_CONCURRENCY', 64));
const CONNECTIONS = Math.floor(numberFromEnv('BENCH_CONNECTIONS', 10));
/**
 * At most the single-thread server's render queue (16 waiting per thread)
 * plus its thread: beyond it a PNG is drawn on the event loop instead
 * (render-pool.ts), which would put a second core to work in the "one
 * thread" server.
 */
const RENDER_CONNECTIONS = Math.floor(numberFromEnv('BENCH_RENDER_CONNECTIONS', 8));
const GIF_CONNECTIONS = Math.floor(numberFromEnv('BENCH_GIF_CONNECTIONS', 4));
/** Countdown campaigns with distinct deadlines; cycled, so each is asked for again only many seconds later (a new first frame). */
const GIF_CAMPAIGNS = 2_000;
const CORES = os.availableParallelism();
const SECRET = Buffer.alloc(32, 42).toString('base64url');
const keyring = new Keyring({ keys: [{ kid: 'bench', secret: SECRET }], activeKid: 'bench' });
const SECTIONS = ['threads', 'burst', 'gif', 'workers', 'databases'] as const;
type Section = (typeof SECTIONS)[number];

/** The flash-sale email's pictures (amp-templates/flash-sale.html), in its order: what a prefetch fetches per subscriber. */
const EMAIL_IMAGES = [
  'flash-countdown.gif?',
  'hero-product.png?',
  'picks.png?slot=header&',
  'picks.png?slot=0&',
  'picks.png?slot=1&',
  'picks.png?slot=2&',
  'picks.png?slot=3&',
];
/** Blocks whose picture holds the subscriber's own first name (and points or picks): no two subscribers share a rendering. */
const PERSONAL_BLOCKS = ['loyalty-status', 'picks'];
const JSON_BLOCKS = ['flash-countdown', 'hero-product', 'picks', 'loyalty-status'];

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const fixed = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a / b) ? (a / b).toFixed(2) : 'n/a');
const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;

/** One line per figure for the closing summary (the README quotes it). */
const summary: string[] = [];

interface Context {
  dataDir: string;
  /** Servers still running: stopped at the end even when a section fails. */
  servers: Set<ScaleServer>;
}

/** A token per scale subscriber for one campaign, signed once. */
const tokenCache = new Map<string, string>();
function scaleToken(index: number, campaignId: string = DEMO_CAMPAIGN_IDS.flashSale): string {
  const key = `${index}\u0000${campaignId}`;
  let token = tokenCache.get(key);
  if (!token) tokenCache.set(key, (token = tokenFor(keyring, scaleSubscriberId(index), campaignId)));
  return token;
}

function jsonRequests(count: number, token: (index: number) => string): LoadRequest[] {
  const requests: LoadRequest[] = [];
  for (let i = 0; i < count; i++) {
    for (const blockId of JSON_BLOCKS) requests.push({ path: `/amp/v1/blocks/${blockId}?t=${token(i)}`, headers: { 'AMP-Email-Sender': SCALE_SENDER } });
  }
  return requests;
}

/** Cold personal PNGs: subscriber i's loyalty card, then subscriber i+1's picks, …; the second pass swaps the blocks. Never two requests for one picture. */
function personalImageRequests(count: number, token: (index: number) => string): LoadRequest[] {
  const requests: LoadRequest[] = [];
  for (let pass = 0; pass < PERSONAL_BLOCKS.length; pass++) {
    for (let i = 0; i < count; i++) {
      const blockId = PERSONAL_BLOCKS[(i + pass) % PERSONAL_BLOCKS.length] as string;
      requests.push({ path: `/img/v1/blocks/${blockId}.png?t=${token(i)}` });
    }
  }
  return requests;
}

interface Measured {
  load: ScaleLoadResult;
  /** Server CPU seconds (the process tree: primary, workers, their threads) per second of load: 1.0 = one core. */
  serverBusy: number;
  /** Server CPU ms per answer. */
  cpuMsPerAnswer: number;
  /** Render-cache lookups during the load, from /metrics (NaN if unavailable). */
  renderHits: number;
  renderMisses: number;
  /** CPU seconds per second that neither the server nor this bench (nor the database processes, when given) used: other work on a shared machine. */
  othersBusy: number;
  /** CPU seconds per second of the database processes given to measure() (PostgreSQL, Redis); 0 when none. */
  databaseBusy: number;
}

async function measure(server: ScaleServer, options: Omit<ScaleLoadOptions, 'url'>, databasePids: readonly number[] = []): Promise<Measured> {
  const databaseCpu = (): number => databasePids.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0);
  const before = await scrapeCounters(server.url);
  const databaseBefore = databaseCpu();
  const cpuBefore = treeCpuSeconds(server.pid);
  const machineBefore = machineCpuSeconds();
  const benchBefore = process.cpuUsage();
  const load = await runScaleLoad({ url: server.url, ...options });
  const cpu = treeCpuSeconds(server.pid) - cpuBefore;
  const bench = process.cpuUsage(benchBefore);
  const machine = machineCpuSeconds() - machineBefore;
  const database = databaseCpu() - databaseBefore;
  const after = await scrapeCounters(server.url);
  return {
    load,
    othersBusy: Math.max(0, machine - cpu - database - (bench.user + bench.system) / 1e6) / load.seconds,
    databaseBusy: database / load.seconds,
    serverBusy: cpu / load.seconds,
    cpuMsPerAnswer: (cpu * 1000) / Math.max(1, load.answers),
    renderHits: counterDelta(before, after, 'opentime_cache_requests_total{cache="render",result="hit"}'),
    renderMisses: counterDelta(before, after, 'opentime_cache_requests_total{cache="render",result="miss"}'),
  };
}

/** Loads of the same thing (ABBA orders) as one: rates, latencies and busy figures averaged, counts summed. */
function meanOf(rows: readonly Measured[]): Measured & { tally: Tally } {
  const average = (figure: (row: Measured) => number): number => rows.reduce((sum, row) => sum + figure(row), 0) / rows.length;
  const sum = (figure: (row: Measured) => number): number => rows.reduce((total, row) => total + figure(row), 0);
  const first = rows[0] as Measured;
  return {
    load: {
      ...first.load,
      answers: sum((row) => row.load.answers),
      seconds: sum((row) => row.load.seconds),
      answersPerSecond: average((row) => row.load.answersPerSecond),
      viewsPerSecond: average((row) => row.load.viewsPerSecond),
      p50: average((row) => row.load.p50),
      p99: average((row) => row.load.p99),
      errors: sum((row) => row.load.errors),
      generatorBusy: average((row) => row.load.generatorBusy),
      exhausted: rows.some((row) => row.load.exhausted),
    },
    serverBusy: average((row) => row.serverBusy),
    cpuMsPerAnswer: average((row) => row.cpuMsPerAnswer),
    renderHits: sum((row) => row.renderHits),
    renderMisses: sum((row) => row.renderMisses),
    othersBusy: average((row) => row.othersBusy),
    databaseBusy: average((row) => row.databaseBusy),
    tally: mergeTallies(rows.map((row) => row.load.tally)),
  };
}

/**
 * Servers A and B under the same load: an unmeasured 2 s warm-up of each, then DURATION-second loads
 * in ABBA order, so drift on a shared machine falls on both alike; each server's two loads as one.
 */
async function abba(a: ScaleServer, b: ScaleServer, options: Omit<ScaleLoadOptions, 'url' | 'durationSeconds'>): Promise<[Measured & { tally: Tally }, Measured & { tally: Tally }]> {
  for (const server of [a, b]) await runScaleLoad({ url: server.url, ...options, durationSeconds: 2 });
  const load = (server: ScaleServer): Promise<Measured> => measure(server, { ...options, durationSeconds: DURATION });
  const a1 = await load(a);
  const b1 = await load(b);
  const b2 = await load(b);
  const a2 = await load(a);
  return [meanOf([a1, a2]), meanOf([b1, b2])];
}

async function start(ctx: Context, name: string, env: NodeJS.ProcessEnv): Promise<ScaleServer> {
  const server = await startScaleServer(name, env);
  ctx.servers.add(server);
  // Start-up warnings are the bench's set-up (no ingestion API keys configured): what is counted from here is the load's.
  takeLogs(server);
  return server;
}

async function stop(ctx: Context, server: ScaleServer): Promise<void> {
  reportLogs(server);
  await server.stop();
  ctx.servers.delete(server);
}

/** The server's own warnings and errors (fallbacks, sheds, busy threads, failures), printed so nothing odd goes unseen. */
function reportLogs(server: ScaleServer): void {
  const lines = takeLogs(server);
  if (lines.length) out(`  ${server.name} logged: ${lines.join('; ')}`);
  // Lines that are not log entries are the demo banner (databases section) unless the server died: only then worth showing.
  if (server.child.exitCode !== null && server.child.exitCode !== 0) out(`  ${server.name} exited with ${server.child.exitCode}: ${server.otherLines.slice(-5).join(' | ')}`);
  server.otherLines.length = 0;
}

function sqliteEnv(ctx: Context, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    OPENTIME_DATA_DIR: ctx.dataDir,
    OPENTIME_SIGNING_KEYS: `bench:${SECRET}`,
    // The data's picture URLs are under this address: every server draws the demo pictures in-process (as bench.ts).
    OPENTIME_PUBLIC_URL: BENCH_PUBLIC_URL,
    // Set explicitly so the single-process sections stay single-process whatever the default becomes.
    OPENTIME_WORKERS: '1',
    ...extra,
  };
}

function row(label: string, m: Measured, extra = ''): string {
  return (
    `  ${label.padEnd(22)} ${fixed(m.load.answersPerSecond).padStart(8)} ${fixed(m.load.viewsPerSecond).padStart(8)} ${fixed(m.load.p50, 1).padStart(8)} ${fixed(m.load.p99, 1).padStart(8)} ` +
    `${fixed(m.cpuMsPerAnswer, 2).padStart(10)} ${fixed(m.serverBusy, 2).padStart(9)} ${fixed(m.load.generatorBusy, 2).padStart(9)} ${fixed(m.othersBusy, 2).padStart(11)}${extra}`
  );
}
const ROW_HEADER = `  ${''.padEnd(22)} ${'answers/s'.padStart(8)} ${'views/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'cpu ms/ans'.padStart(10)} ${'srv cores'.padStart(9)} ${'gen cores'.padStart(9)} ${'other cores'.padStart(11)}`;
const ROW_LEGEND =
  '  views/s = answers with X-Opentime-Outcome: view (the live view; a shed or busy fallback is not one); cpu ms/ans = server CPU (every process and thread) per answer; ' +
  'srv cores / gen cores = CPU seconds per second of the server and of this load generator (1.00 = one core busy); ' +
  'other cores = the same for everything else on the machine (well above 0: someone else was using the cores, and the ratios are less sure)';

function outcomesLine(label: string, tally: Tally, m?: { renderHits: number; renderMisses: number }): string {
  const cache = m && Number.isFinite(m.renderHits) ? `; render cache ${m.renderHits} hits, ${m.renderMisses} misses` : '';
  return `  ${label}: ${describeTally(tally)}${cache}`;
}

// ── 1. threads ───────────────────────────────────────────────────────────────

async function threadsSection(ctx: Context): Promise<void> {
  out(`\n== threads: cold personalised renders, OPENTIME_RENDER_THREADS=1 vs ${CORES} (OPENTIME_WORKERS=1) ==`);
  out(
    `  ${PERSONAL_BLOCKS.map((id) => `${id}.png`).join(' and ')}, a different subscriber on every request (${SUBSCRIBERS.toLocaleString('en-US')} seeded, each picture asked for once in the run), ` +
      `${RENDER_CONNECTIONS} connections, ABBA order (1, ${CORES}, ${CORES}, 1) of ${DURATION} s loads`,
  );
  const source = new RequestSource(personalImageRequests(SUBSCRIBERS, (i) => scaleToken(i)));
  const one = await start(ctx, 'threads=1', sqliteEnv(ctx, { OPENTIME_RENDER_THREADS: '1' }));
  const many = await start(ctx, `threads=${CORES}`, sqliteEnv(ctx, { OPENTIME_RENDER_THREADS: String(CORES) }));
  // abba's warm-up: JIT, the product pictures and the catalogue's best-seller lists, on pictures the measured loads will not ask for.
  const [single, multi] = await abba(one, many, { next: source.next, connections: RENDER_CONNECTIONS });
  out(ROW_HEADER);
  out(row('threads=1', single));
  out(row(`threads=${CORES}`, multi));
  out(ROW_LEGEND);
  out(outcomesLine('threads=1', single.tally, single));
  out(outcomesLine(`threads=${CORES}`, multi.tally, multi));
  if (source.used >= source.size) out(`  WARNING: the ${source.size} distinct pictures ran out; later requests repeated (raise BENCH_SUBSCRIBERS)`);
  const speedup = multi.load.viewsPerSecond / single.load.viewsPerSecond;
  out(`  renders/s ${CORES} threads ÷ 1 thread: ${ratio(multi.load.viewsPerSecond, single.load.viewsPerSecond)} (goal ≥ 1.7 on 2 cores)`);
  out(
    `  renders/s per render thread: ${fixed(single.load.viewsPerSecond)} (1 thread) vs ${fixed(multi.load.viewsPerSecond / CORES)} (${CORES} threads), ratio ${fixed(speedup / CORES, 2)}; ` +
      `renders per server CPU-second (renders/s per core actually used): ${fixed(single.load.viewsPerSecond / single.serverBusy)} vs ${fixed(multi.load.viewsPerSecond / multi.serverBusy)}, ` +
      `ratio ${ratio(multi.load.viewsPerSecond / multi.serverBusy, single.load.viewsPerSecond / single.serverBusy)}`,
  );
  summary.push(
    `threads: cold personal renders/s, ${CORES} render threads ÷ 1: ${ratio(multi.load.viewsPerSecond, single.load.viewsPerSecond)} ` +
      `(${fixed(single.load.viewsPerSecond)} → ${fixed(multi.load.viewsPerSecond)} renders/s; server cores busy ${fixed(single.serverBusy, 2)} → ${fixed(multi.serverBusy, 2)}; ` +
      `renders per server CPU-second ratio ${ratio(multi.load.viewsPerSecond / multi.serverBusy, single.load.viewsPerSecond / single.serverBusy)}; generator ${fixed(multi.load.generatorBusy, 2)} cores; ` +
      `other work on the machine ${fixed(single.othersBusy, 2)} / ${fixed(multi.othersBusy, 2)} cores)`,
  );
  await stop(ctx, one);
  await stop(ctx, many);
}

// ── 2. burst ─────────────────────────────────────────────────────────────────

async function burstSection(ctx: Context): Promise<void> {
  out(`\n== burst: an Apple Mail prefetch wave of the flash-sale email (OPENTIME_WORKERS=1, ${CORES} render threads) ==`);
  out(
    `  ${BURST_SUBSCRIBERS.toLocaleString('en-US')} subscribers × the email's ${EMAIL_IMAGES.length} pictures (countdown GIF, product card, picks header and 4 cards) = ` +
      `${(BURST_SUBSCRIBERS * EMAIL_IMAGES.length).toLocaleString('en-US')} requests, each once, ${BURST_CONCURRENCY} at a time, as fast as the server answers`,
  );
  const server = await start(ctx, 'burst', sqliteEnv(ctx));
  const emailOf = (index: number): LoadRequest[] => EMAIL_IMAGES.map((image) => ({ path: `/img/v1/blocks/${image}t=${scaleToken(index)}` }));
  const wave: LoadRequest[] = [];
  for (let i = 0; i < BURST_SUBSCRIBERS; i++) wave.push(...emailOf(i));
  // Baseline: the last tenth again once the wave is over, the second time round. The last, not the first: the
  // render cache (64 MB) holds the most recent renderings, and the first tenth's may have been pushed out by the
  // rest of the wave. The second time: pictures the wave answered with a fallback (shed, busy) are not cached,
  // and the first pass draws them. Only the countdown GIF is drawn again then (a new second, once per locale).
  const againFrom = BURST_SUBSCRIBERS - Math.max(1, Math.floor(BURST_SUBSCRIBERS / 10));
  const again: LoadRequest[] = [];
  for (let i = againFrom; i < BURST_SUBSCRIBERS; i++) again.push(...emailOf(i));
  const idle = treeMemory(server.pid);
  const sampler = new RssSampler(server.pid);
  const waveLoad = await measure(server, { next: new RequestSource(wave).next, connections: BURST_CONCURRENCY });
  const memory = sampler.stop();
  const refill = await runScaleLoad({ url: server.url, next: new RequestSource(again).next, connections: BURST_CONCURRENCY });
  const cached = await measure(server, { next: new RequestSource(again).next, connections: BURST_CONCURRENCY });
  const viewShare = (tally: Tally, answers: number): string => `${fixed((100 * (tally.outcomes.get('view') ?? 0)) / Math.max(1, answers))}%`;
  out(ROW_HEADER);
  out(row('wave (cold)', waveLoad, `   took ${fixed(waveLoad.load.seconds, 1)} s`));
  out(row('last 10%, 2nd time', cached, `   took ${fixed(cached.load.seconds, 1)} s`));
  out(ROW_LEGEND);
  out(outcomesLine('wave', waveLoad.load.tally, waveLoad));
  out(outcomesLine('last 10%, 1st time again (unmeasured)', refill.tally));
  out(outcomesLine('last 10%, 2nd time', cached.load.tally, cached));
  out(
    `  the live view in ${viewShare(waveLoad.load.tally, waveLoad.load.answers)} of the wave's answers (the rest: the block's fallback picture when the event loop ran late, "shed", ` +
      `or a countdown's first frame when the render threads were full, "busy"), ${viewShare(cached.load.tally, cached.load.answers)} of the baseline's`,
  );
  out(
    `  server memory: ${mb(idle.rssKb)} resident before the wave, peak ${mb(memory.peakRssKb)} during it (VmRSS of ${idle.processes} process(es), sampled every 200 ms; ` +
      `VmHWM ${mb(memory.hwmKb)}): peak ÷ idle ${ratio(memory.peakRssKb, idle.rssKb)}`,
  );
  out(
    `  wave ÷ cached baseline: answers/s ${ratio(waveLoad.load.answersPerSecond, cached.load.answersPerSecond)}, live views/s ${ratio(waveLoad.load.viewsPerSecond, cached.load.viewsPerSecond)}, ` +
      `p50 ${ratio(waveLoad.load.p50, cached.load.p50)}, p99 ${ratio(waveLoad.load.p99, cached.load.p99)}, server CPU per answer ${ratio(waveLoad.cpuMsPerAnswer, cached.cpuMsPerAnswer)}`,
  );
  summary.push(
    `burst: ${(BURST_SUBSCRIBERS * EMAIL_IMAGES.length).toLocaleString('en-US')}-image wave in ${fixed(waveLoad.load.seconds, 1)} s, ${fixed(waveLoad.load.answersPerSecond)} answers/s ` +
      `(${fixed(waveLoad.load.viewsPerSecond)} live views/s, ${viewShare(waveLoad.load.tally, waveLoad.load.answers)} of answers), p50/p99 ${fixed(waveLoad.load.p50)}/${fixed(waveLoad.load.p99)} ms; ` +
      `÷ the same pictures cached: answers/s ${ratio(waveLoad.load.answersPerSecond, cached.load.answersPerSecond)}, p99 ${ratio(waveLoad.load.p99, cached.load.p99)}; ` +
      `peak RSS ${mb(memory.peakRssKb)} = ${ratio(memory.peakRssKb, idle.rssKb)}× idle; ${describeTally(waveLoad.load.tally)}; other work on the machine ${fixed(waveLoad.othersBusy, 2)} cores`,
  );
  await stop(ctx, server);
}

// ── 3. gif ───────────────────────────────────────────────────────────────────

async function gifSection(ctx: Context): Promise<void> {
  out(`\n== gif: fresh countdown GIFs (600×160, 60 frames) and JSON beside them (OPENTIME_WORKERS=1, ${CORES} render threads) ==`);
  out(
    `  every GIF is of a campaign with its own deadline (${GIF_CAMPAIGNS} campaigns, cycled), so its first frame, which the GIF is cached by, is new; ` +
      `JSON: hero-product opens of ${Math.min(SUBSCRIBERS, 1000)} subscribers, ${CONNECTIONS} connections; GIFs: ${GIF_CONNECTIONS} connections; ${DURATION} s loads`,
  );
  const server = await start(ctx, 'gif', sqliteEnv(ctx));
  const countdown = (format: 'gif' | 'png'): RequestSource =>
    new RequestSource(
      Array.from({ length: GIF_CAMPAIGNS * 4 }, (_, n) => {
        const i = n % GIF_CAMPAIGNS;
        return { path: `/img/v1/blocks/flash-countdown.${format}?t=${scaleToken(i % SUBSCRIBERS, gifCampaignId(i))}` };
      }),
    );
  const gifs = countdown('gif');
  const pngs = countdown('png');
  const json = cycling(
    Array.from({ length: Math.min(SUBSCRIBERS, 1000) }, (_, i) => ({ path: `/amp/v1/blocks/hero-product?t=${scaleToken(i)}`, headers: { 'AMP-Email-Sender': SCALE_SENDER } })),
  );
  // Unmeasured warm-up of each path.
  await runScaleLoad({ url: server.url, next: json, connections: CONNECTIONS, durationSeconds: 1 });
  await runScaleLoad({ url: server.url, next: gifs.next, connections: GIF_CONNECTIONS, durationSeconds: 2 });
  await runScaleLoad({ url: server.url, next: pngs.next, connections: GIF_CONNECTIONS, durationSeconds: 1 });

  const jsonAlone1 = await measure(server, { next: json, connections: CONNECTIONS, durationSeconds: DURATION });
  const gifAlone = await measure(server, { next: gifs.next, connections: GIF_CONNECTIONS, durationSeconds: DURATION });
  const pngAlone = await measure(server, { next: pngs.next, connections: GIF_CONNECTIONS, durationSeconds: DURATION });
  // JSON and GIFs together: the generator's CPU over the pair is read around both, as they share this process.
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const [jsonBeside, gifBeside] = await Promise.all([
    measure(server, { next: json, connections: CONNECTIONS, durationSeconds: DURATION }),
    runScaleLoad({ url: server.url, next: gifs.next, connections: GIF_CONNECTIONS, durationSeconds: DURATION }),
  ]);
  const pairCpu = process.cpuUsage(cpuBefore);
  const generatorBesideBusy = (pairCpu.user + pairCpu.system) / 1e6 / ((performance.now() - startedAt) / 1000);
  const jsonAlone2 = await measure(server, { next: json, connections: CONNECTIONS, durationSeconds: DURATION });
  const jsonAlone = meanOf([jsonAlone1, jsonAlone2]);
  const gifViews = gifAlone.load.tally.outcomes.get('view') ?? 0;
  const pngViews = pngAlone.load.tally.outcomes.get('view') ?? 0;
  const gifCpuMs = (gifAlone.serverBusy * gifAlone.load.seconds * 1000) / Math.max(1, gifViews);
  const pngCpuMs = (pngAlone.serverBusy * pngAlone.load.seconds * 1000) / Math.max(1, pngViews);
  out(ROW_HEADER);
  out(row('JSON alone (mean)', jsonAlone));
  out(row('fresh GIFs alone', gifAlone));
  out(row('fresh PNGs alone', pngAlone));
  out(row('JSON beside GIFs', jsonBeside));
  out(`  ${'GIFs beside JSON'.padEnd(22)} ${fixed(gifBeside.answersPerSecond).padStart(8)} ${fixed(gifBeside.viewsPerSecond).padStart(8)} ${fixed(gifBeside.p50, 1).padStart(8)} ${fixed(gifBeside.p99, 1).padStart(8)}`);
  out(ROW_LEGEND);
  out(outcomesLine('GIFs alone', gifAlone.load.tally, gifAlone));
  out(outcomesLine('PNGs alone', pngAlone.load.tally, pngAlone));
  out(outcomesLine('GIFs beside JSON', gifBeside.tally));
  out(outcomesLine('JSON', mergeTallies([jsonAlone.tally, jsonBeside.load.tally])));
  out(
    `  server CPU per fresh GIF: ${fixed(gifCpuMs)} ms (${gifViews} GIFs drawn); per fresh countdown PNG of the same views: ${fixed(pngCpuMs, 1)} ms; ` +
      `GIF ÷ PNG ${ratio(gifCpuMs, pngCpuMs)}; GIF ÷ a JSON open ${ratio(gifCpuMs, jsonAlone.cpuMsPerAnswer)}`,
  );
  out(
    `  JSON req/s beside ${GIF_CONNECTIONS} fresh-GIF connections ÷ alone: ${ratio(jsonBeside.load.answersPerSecond, jsonAlone.load.answersPerSecond)} (goal ≥ 0.5); ` +
      `p99 ${ratio(jsonBeside.load.p99, jsonAlone.load.p99)}; GIFs/s beside JSON ÷ alone ${ratio(gifBeside.viewsPerSecond, gifAlone.load.viewsPerSecond)}`,
  );
  out(
    `  load generator CPU (cores): ${fixed(jsonAlone.load.generatorBusy, 2)} for JSON alone, ${fixed(gifAlone.load.generatorBusy, 2)} for GIFs alone, ` +
      `${fixed(generatorBesideBusy, 2)} for JSON and GIFs together; server ${fixed(jsonBeside.serverBusy, 2)} cores then`,
  );
  summary.push(
    `gif: server CPU per fresh 60-frame GIF ${fixed(gifCpuMs)} ms = ${ratio(gifCpuMs, pngCpuMs)}× a fresh countdown PNG; JSON req/s beside ${GIF_CONNECTIONS} fresh-GIF connections ÷ alone ` +
      `${ratio(jsonBeside.load.answersPerSecond, jsonAlone.load.answersPerSecond)} (p99 ${ratio(jsonBeside.load.p99, jsonAlone.load.p99)}×); generator ${fixed(generatorBesideBusy, 2)} cores; ` +
      `other work on the machine ${fixed(jsonAlone.othersBusy, 2)} / ${fixed(gifAlone.othersBusy, 2)} / ${fixed(jsonBeside.othersBusy, 2)} cores (JSON alone / GIFs alone / both)`,
  );
  await stop(ctx, server);
}

// ── 4. workers ───────────────────────────────────────────────────────────────

/** Waits (up to 10 s) until the server runs `processes` processes: a cluster primary answers health once its first worker listens. */
async function settleProcesses(server: ScaleServer, processes: number): Promise<number> {
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (processTree(server.pid).length >= processes) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return processTree(server.pid).length;
}

async function workersSection(ctx: Context): Promise<void> {
  const jsonSubscribers = Math.min(SUBSCRIBERS, 2_000);
  out(`\n== workers: JSON opens, OPENTIME_WORKERS=1 vs 2 (render threads at their default: the cores shared out among the workers) ==`);
  out(`  ${JSON_BLOCKS.join(', ')} JSON for ${jsonSubscribers} subscribers, ${CONNECTIONS} connections, ABBA order (1, 2, 2, 1) of ${DURATION} s loads`);
  const one = await start(ctx, 'workers=1', sqliteEnv(ctx));
  const two = await start(ctx, 'workers=2', sqliteEnv(ctx, { OPENTIME_WORKERS: '2' }));
  const twoProcesses = await settleProcesses(two, 3);
  const implemented = twoProcesses >= 3;
  if (!implemented) {
    out(`  NOTE: with OPENTIME_WORKERS=2 the server runs ${twoProcesses} process(es): this build does not start workers yet, so the ratio below compares two single-process servers`);
  }
  const requests = cycling(jsonRequests(jsonSubscribers, (i) => scaleToken(i)));
  const [single, double] = await abba(one, two, { next: requests, connections: CONNECTIONS });
  out(ROW_HEADER);
  out(row('workers=1', single, `   ${processTree(one.pid).length} process(es)`));
  out(row('workers=2', double, `   ${processTree(two.pid).length} process(es)`));
  out(ROW_LEGEND);
  out(outcomesLine('workers=1', single.tally));
  out(outcomesLine('workers=2', double.tally));
  const share = (m: Measured): string => `${fixed((100 * m.load.generatorBusy) / CORES)}%`;
  out(
    `  req/s workers=2 ÷ workers=1: ${ratio(double.load.answersPerSecond, single.load.answersPerSecond)}; the load generator used ${share(single)} and ${share(double)} of the machine's ${CORES} cores ` +
      `(${fixed(single.load.generatorBusy, 2)} and ${fixed(double.load.generatorBusy, 2)} cores; the server ${fixed(single.serverBusy, 2)} and ${fixed(double.serverBusy, 2)})`,
  );
  summary.push(
    `workers: JSON req/s with 2 worker processes ÷ 1: ${ratio(double.load.answersPerSecond, single.load.answersPerSecond)} (${fixed(single.load.answersPerSecond)} → ${fixed(double.load.answersPerSecond)}; ` +
      `generator ${share(single)} → ${share(double)} of the machine; other work ${fixed(single.othersBusy, 2)} / ${fixed(double.othersBusy, 2)} cores)${implemented ? '' : ' — OPENTIME_WORKERS not implemented in this build: both were one process'}`,
  );
  await stop(ctx, one);
  await stop(ctx, two);
}

// ── 5. databases ─────────────────────────────────────────────────────────────

interface Services {
  databaseUrl: string;
  redisUrl: string;
  /** The PostgreSQL and Redis processes, when this bench started them: their CPU is counted beside the server's. */
  pids: number[];
  stop(): Promise<void>;
}

/** What global-setup.js leaves in this global for global-teardown.js (test/scale/services/started-services.ts). */
const LAUNCHED_KEY = '__opentimeTestServices';
interface Launched {
  postgres?: { dir: string; dataDir: string };
  redis?: { dir: string; pid: number };
}

/**
 * PostgreSQL and Redis URLs: BENCH_DATABASE_URL and BENCH_REDIS_URL, or
 * throwaway servers started by the scale tests' launcher
 * (test/scale/services/global-setup.ts, its compiled copy in dist; stopped
 * by global-teardown.ts), or the reason there are none.
 */
async function databaseServices(): Promise<Services | string> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  const redisUrl = process.env.BENCH_REDIS_URL;
  if (databaseUrl && redisUrl) return { databaseUrl, redisUrl, pids: [], stop: async () => undefined };
  const dir = path.join(packageRoot(), 'dist', 'test', 'scale', 'services');
  const setupFile = path.join(dir, 'global-setup.js');
  const teardownFile = path.join(dir, 'global-teardown.js');
  if (!fs.existsSync(setupFile) || !fs.existsSync(teardownFile)) {
    return 'needs BENCH_DATABASE_URL=postgres://… and BENCH_REDIS_URL=redis://…, or the throwaway-server launcher test/scale/services/global-setup.ts built into dist';
  }
  // Loaded by path at run time: the launcher belongs to the scale tests, and the bench must build and run without it.
  const setup = (require(setupFile) as { default?: unknown }).default;
  const teardown = (require(teardownFile) as { default?: unknown }).default;
  if (typeof setup !== 'function' || typeof teardown !== 'function') return `${setupFile} or ${teardownFile} has no default export to start or stop the services with`;
  // The launcher hands its URLs over in these variables (and keeps a server named in them instead of starting one).
  const preset = { database: process.env.OPENTIME_TEST_DATABASE_URL, redis: process.env.OPENTIME_TEST_REDIS_URL };
  try {
    await (setup as () => Promise<void>)();
  } catch (error) {
    return `could not start throwaway PostgreSQL and Redis: ${(error as Error).message.split('\n')[0]}`;
  }
  const started = { databaseUrl: process.env.OPENTIME_TEST_DATABASE_URL, redisUrl: process.env.OPENTIME_TEST_REDIS_URL };
  // Not passed on to the servers this bench starts.
  if (preset.database === undefined) delete process.env.OPENTIME_TEST_DATABASE_URL;
  if (preset.redis === undefined) delete process.env.OPENTIME_TEST_REDIS_URL;
  const launched = ((globalThis as Record<string, unknown>)[LAUNCHED_KEY] ?? {}) as Launched;
  const pids: number[] = [];
  // The postmaster's pid is the first line of postmaster.pid (PostgreSQL manual, "Database File Layout").
  const postmaster = launched.postgres ? Number.parseInt(fs.readFileSync(path.join(launched.postgres.dataDir, 'postmaster.pid'), 'utf8'), 10) : Number.NaN;
  if (Number.isInteger(postmaster)) pids.push(postmaster);
  if (launched.redis) pids.push(launched.redis.pid);
  const stopServices = async (): Promise<void> => {
    try {
      await (teardown as () => Promise<void>)();
    } catch (error) {
      // A teardown that fails must not fail the figures already printed. Seen before c191138: Redis's
      // directory removed while the exiting server still wrote its log there (ENOTEMPTY); the servers
      // were stopped by then, only the directories remained.
      out(`  note: the launcher's teardown failed (${(error as Error).message.split('\n')[0]}); removing its directories after 1 s`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      for (const leftover of [launched.postgres?.dir, launched.redis?.dir]) if (leftover) fs.rmSync(leftover, { recursive: true, force: true });
      delete (globalThis as Record<string, unknown>)[LAUNCHED_KEY];
    }
  };
  if (!started.databaseUrl || !started.redisUrl) {
    await stopServices();
    return 'the launcher in test/scale/services started no PostgreSQL or Redis URL';
  }
  return { databaseUrl: databaseUrl ?? started.databaseUrl, redisUrl: redisUrl ?? started.redisUrl, pids, stop: stopServices };
}

async function databasesSection(ctx: Context): Promise<void> {
  out(`\n== databases: the same JSON and image loads on SQLite vs PostgreSQL + Redis (OPENTIME_WORKERS=1) ==`);
  const services = await databaseServices();
  if (typeof services === 'string') {
    out(`  skipped: this section ${services}`);
    summary.push(`databases: skipped (${services})`);
    return;
  }
  const dataDirs: string[] = [];
  try {
    const subscribers = Math.min(SUBSCRIBERS, 5_000);
    out(
      `  both servers in demo mode on empty databases (demo data seeded by the server), ${subscribers} subscribers written through POST /api/v1/subscribers; ` +
        `JSON: ${JSON_BLOCKS.join(', ')} for every subscriber, ${CONNECTIONS} connections; images: cold personal PNGs, ${RENDER_CONNECTIONS} connections; ABBA order of ${DURATION} s loads`,
    );
    const servers: { label: string; server: ScaleServer; keyring: Keyring; databasePids: readonly number[] }[] = [];
    for (const [label, extra, databasePids] of [
      ['SQLite', {}, []],
      ['PostgreSQL+Redis', { OPENTIME_DATABASE_URL: services.databaseUrl, OPENTIME_REDIS_URL: services.redisUrl }, services.pids],
    ] as const) {
      // Demo mode on both (no keys configured): the demo data, campaigns included, is seeded by the server into
      // whichever database it runs on, which the bench cannot open itself; the keys are the data directory's.
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-scale-db-'));
      dataDirs.push(dataDir);
      const apiKey = loadOrCreateDemoApiKey(dataDir).key;
      const demoKeyring = new Keyring(loadOrCreateDemoKeys(dataDir));
      const server = await start(ctx, label, { OPENTIME_DATA_DIR: dataDir, OPENTIME_PUBLIC_URL: BENCH_PUBLIC_URL, OPENTIME_WORKERS: '1', ...extra });
      await seedThroughApi(server.url, apiKey, subscribers, new Date());
      servers.push({ label, server, keyring: demoKeyring, databasePids });
    }
    const results: { label: string; json: Measured & { tally: Tally }; images: Measured & { tally: Tally } }[] = [];
    const loads = servers.map(({ label, server, keyring: own, databasePids }) => {
      const token = (i: number): string => tokenFor(own, scaleSubscriberId(i), DEMO_CAMPAIGN_IDS.flashSale);
      const tokens = Array.from({ length: subscribers }, (_, i) => token(i));
      return { label, server, databasePids, json: cycling(jsonRequests(subscribers, (i) => tokens[i] as string)), images: new RequestSource(personalImageRequests(subscribers, (i) => tokens[i] as string)) };
    });
    for (const { server, json, images } of loads) {
      await runScaleLoad({ url: server.url, next: json, connections: CONNECTIONS, durationSeconds: 2 });
      await runScaleLoad({ url: server.url, next: images.next, connections: RENDER_CONNECTIONS, durationSeconds: 2 });
    }
    const [a, b] = loads as [(typeof loads)[number], (typeof loads)[number]];
    const jsonRuns = new Map<string, Measured[]>();
    const imageRuns = new Map<string, Measured[]>();
    for (const target of [a, b, b, a]) {
      const runs = jsonRuns.get(target.label) ?? [];
      runs.push(await measure(target.server, { next: target.json, connections: CONNECTIONS, durationSeconds: DURATION }, target.databasePids));
      jsonRuns.set(target.label, runs);
    }
    for (const target of [a, b, b, a]) {
      const runs = imageRuns.get(target.label) ?? [];
      runs.push(await measure(target.server, { next: target.images.next, connections: RENDER_CONNECTIONS, durationSeconds: DURATION }, target.databasePids));
      imageRuns.set(target.label, runs);
    }
    for (const { label } of loads) results.push({ label, json: meanOf(jsonRuns.get(label) ?? []), images: meanOf(imageRuns.get(label) ?? []) });
    out(ROW_HEADER);
    const databaseCores = (m: Measured): string => (services.pids.length ? `   db cores ${fixed(m.databaseBusy, 2)}` : '');
    for (const result of results) {
      out(row(`${result.label} JSON`, result.json, databaseCores(result.json)));
      out(row(`${result.label} PNG`, result.images, databaseCores(result.images)));
    }
    out(ROW_LEGEND);
    if (services.pids.length) out('  db cores = CPU of the PostgreSQL and Redis processes (not in srv cores or other cores)');
    for (const result of results) {
      out(outcomesLine(`${result.label} JSON`, result.json.tally));
      out(outcomesLine(`${result.label} PNG`, result.images.tally, result.images));
    }
    const [sqlite, postgres] = results as [(typeof results)[number], (typeof results)[number]];
    // With the database's own processes: SQLite runs inside the server, PostgreSQL and Redis beside it.
    const allCpuMs = (m: Measured): number => ((m.serverBusy + m.databaseBusy) * 1000) / m.load.answersPerSecond;
    const cpuText = services.pids.length
      ? `; server + database CPU per answer: JSON ${ratio(allCpuMs(postgres.json), allCpuMs(sqlite.json))}, PNG ${ratio(allCpuMs(postgres.images), allCpuMs(sqlite.images))}`
      : ' (PostgreSQL and Redis ran elsewhere: their CPU is not measured)';
    out(
      `  PostgreSQL+Redis ÷ SQLite: JSON req/s ${ratio(postgres.json.load.answersPerSecond, sqlite.json.load.answersPerSecond)}, p99 ${ratio(postgres.json.load.p99, sqlite.json.load.p99)}; ` +
        `cold PNG renders/s ${ratio(postgres.images.load.viewsPerSecond, sqlite.images.load.viewsPerSecond)}, p99 ${ratio(postgres.images.load.p99, sqlite.images.load.p99)}${cpuText}`,
    );
    summary.push(
      `databases: PostgreSQL+Redis ÷ SQLite, JSON req/s ${ratio(postgres.json.load.answersPerSecond, sqlite.json.load.answersPerSecond)} (p99 ${ratio(postgres.json.load.p99, sqlite.json.load.p99)}×), ` +
        `cold PNG renders/s ${ratio(postgres.images.load.viewsPerSecond, sqlite.images.load.viewsPerSecond)} (p99 ${ratio(postgres.images.load.p99, sqlite.images.load.p99)}×)${cpuText}; ` +
        `other work on the machine ${fixed((sqlite.json.othersBusy + sqlite.images.othersBusy) / 2, 2)} / ${fixed((postgres.json.othersBusy + postgres.images.othersBusy) / 2, 2)} cores`,
    );
  } finally {
    for (const server of [...ctx.servers]) await stop(ctx, server);
    await services.stop();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ── main ─────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length) {
    process.stderr.write(`bench:scale: unknown section(s) ${unknown.join(', ')}; expected some of: ${SECTIONS.join(' ')}\n`);
    process.exit(2);
  }
  // Always in the documented order, whatever order they were named in: the databases section comes last.
  const sections: Section[] = SECTIONS.filter((name) => asked.length === 0 || asked.includes(name));
  const startedAt = performance.now();
  out(`Opentime bench:scale ${new Date().toISOString().slice(0, 10)}: ${sections.join(', ')}; ${CORES} cores, node ${process.version}, ${DURATION} s per timed load`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-scale-'));
  const ctx: Context = { dataDir, servers: new Set() };
  const cleanup = (): void => {
    for (const server of ctx.servers) server.child.kill('SIGTERM');
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const needsSqlite = sections.some((name) => name !== 'databases');
    if (needsSqlite) {
      const subscribers = Math.max(sections.some((name) => name === 'threads' || name === 'workers' || name === 'gif') ? SUBSCRIBERS : 0, sections.includes('burst') ? BURST_SUBSCRIBERS : 0);
      const seedStarted = performance.now();
      await seedSqlite(dataDir, { subscribers, gifCampaigns: sections.includes('gif') ? GIF_CAMPAIGNS : 0 }, new Date());
      out(`seeded ${subscribers.toLocaleString('en-US')} subscribers into ${dataDir} in ${fixed((performance.now() - seedStarted) / 1000, 1)} s`);
    }
    const run: Record<Section, (context: Context) => Promise<void>> = {
      threads: threadsSection,
      burst: burstSection,
      gif: gifSection,
      workers: workersSection,
      databases: databasesSection,
    };
    for (const section of sections) await run[section](ctx);
    out(`\nsummary (${new Date().toISOString().slice(0, 10)}, ${CORES} cores, ${fixed((performance.now() - startedAt) / 1000)} s in all):`);
    for (const line of summary) out(`  ${line}`);
  } finally {
    for (const server of [...ctx.servers]) await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:scale failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
