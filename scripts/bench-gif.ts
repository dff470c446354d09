import path from 'node:path';
import { loadBlocksConfig } from '../src/blocks/blocks-config';
import { resolveBlock } from '../src/blocks/resolve-block';
import type { Campaign } from '../src/data/model';
import { isTicking, type ShownView } from '../src/kinds/kind-of-view';
import { buildOpen } from '../src/open/open';
import { packageRoot } from '../src/package-root';
import { GIF_FRAME_DELAY_MS, GIF_FRAMES } from '../src/render/block-image';
import { renderGif, renderPng, type DrawGifTask } from '../src/render/render-worker';
import { resolveTheme } from '../src/render/theme';
import { warmUpRenderer } from '../src/render/warm-up';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { percentile } from './bench-stats';

/**
 * Fresh countdown GIFs (600×160, 60 frames), drawn and encoded in this thread
 * by the very functions a render thread runs (render-worker.ts: renderGif for
 * the GIF, renderPng for the PNG), so no pool, queue or cache is measured.
 * Every GIF has its own deadline, so no two share a frame or a deadline line
 * (@napi-rs/canvas keeps the layout of strings it has measured: a string
 * seen before costs almost nothing, a new one a fraction of a ms).
 *
 * Each round renders a PNG of another fresh countdown of the same locale
 * (the baseline: a stable piece of work, so a noisy machine shows up in both
 * figures) and then the GIF, and reports per GIF the CPU time of the process
 * (user + system, process.cpuUsage) and the wall time, p50 and p90, with the
 * ratio GIF/PNG of the CPU medians.
 *
 *   npm run bench:gif      # BENCH_GIFS=40 BENCH_SCALE=1 BENCH_LOCALES=en-US,de-DE,ja-JP,ar-EG
 */

const GIFS = Number(process.env.BENCH_GIFS ?? 40);
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const LOCALES = (process.env.BENCH_LOCALES ?? 'en-US,de-DE,ja-JP,ar-EG').split(',');
const WARM_UP_ROUNDS = 5;
const NOW = new Date('2026-11-22T10:00:00.000Z');

interface Sample {
  cpuMs: number;
  wallMs: number;
  bytes: number;
}

/** CPU (user + system, every thread of the process) and wall time of one call. */
async function timed(work: () => Promise<Buffer>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const bytes = await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs, bytes: bytes.length };
}

function summary(label: string, samples: readonly Sample[]): { line: string; cpuP50: number } {
  const cpu = samples.map((s) => s.cpuMs).sort((a, b) => a - b);
  const wall = samples.map((s) => s.wallMs).sort((a, b) => a - b);
  const bytes = samples.reduce((sum, s) => sum + s.bytes, 0) / samples.length;
  const ms = (value: number): string => value.toFixed(1).padStart(6);
  return {
    cpuP50: percentile(cpu, 50),
    line:
      `  ${label.padEnd(22)} cpu p50 ${ms(percentile(cpu, 50))} ms  p90 ${ms(percentile(cpu, 90))} ms   ` +
      `wall p50 ${ms(percentile(wall, 50))} ms  p90 ${ms(percentile(wall, 90))} ms   mean size ${(bytes / 1024).toFixed(1)} KB`,
  };
}

async function main(): Promise<void> {
  const storage = openSqliteStorage(':memory:');
  const found = loadBlocksConfig(path.join(packageRoot(), 'config', 'blocks.yaml')).get('flash-countdown');
  if (!found) throw new Error('config/blocks.yaml has no flash-countdown block');
  const block = found;
  const theme = resolveTheme(block.config.theme, block.kind.theme, 'flash-countdown');

  /**
   * The frames of one open, as block-image.ts resolves them: one view a second
   * until `frames` are resolved or it stops. Deadline `n` is 1 day + n × 2h11m59s
   * out: each has its own figures and its own deadline line.
   */
  async function framesOf(n: number, locale: string, frames: number): Promise<ShownView[]> {
    const campaign: Campaign = { id: `bench-${n}`, name: 'Bench', endsAt: new Date(NOW.getTime() + 86_400_000 + n * 7_919_000).toISOString(), allowedSenders: [], markets: [], templates: [], updatedAt: NOW.toISOString() };
    const views: ShownView[] = [];
    for (let second = 0; second < frames; second++) {
      const open = buildOpen({ now: new Date(NOW.getTime() + second * 1000), subscriber: null, campaign, client: 'direct', defaultLocale: locale });
      const resolution = await resolveBlock(block, open, storage.catalogue);
      if (resolution.outcome !== 'view') throw new Error(`deadline ${n} resolved to ${resolution.outcome}`);
      views.push(resolution.view);
      if (!isTicking(resolution.view)) break;
    }
    return views;
  }

  warmUpRenderer();
  const gif: Sample[] = [];
  const png: Sample[] = [];
  for (let round = 0; round < WARM_UP_ROUNDS + GIFS; round++) {
    const locale = LOCALES[round % LOCALES.length] as string;
    const views = await framesOf(round, locale, GIF_FRAMES);
    // The baseline draws a deadline of its own: it does not lay out the GIF's strings before the GIF does.
    const [still] = await framesOf(round + 1_000, locale, 1);
    const task: DrawGifTask = { views, theme, scale: SCALE, timing: { delayMs: GIF_FRAME_DELAY_MS, loop: true, paletteFrames: [] } };
    // A render thread returns to its event loop between tasks, where @napi-rs/canvas frees the pixel buffers of the last one.
    await new Promise<void>((resolve) => setImmediate(resolve));
    // renderPng as a thread runs it (a countdown PNG stays truecolour: no palette is quantized).
    const pngSample = await timed(() => renderPng({ view: still as ShownView, theme, scale: SCALE, rect: null }, new Map()));
    await new Promise<void>((resolve) => setImmediate(resolve));
    const gifSample = await timed(() => renderGif(task, Number.POSITIVE_INFINITY));
    if (round < WARM_UP_ROUNDS) continue;
    png.push(pngSample);
    gif.push(gifSample);
  }
  await storage.close();

  const gifLine = summary(`GIF (${GIF_FRAMES} frames)`, gif);
  const pngLine = summary('PNG (one fresh frame)', png);
  const [width, height] = [Math.round(theme.width * SCALE), Math.round(theme.height * SCALE)];
  console.log(`fresh countdown GIFs, ${width}×${height}, ${GIFS} GIFs after ${WARM_UP_ROUNDS} warm-up rounds, locales ${LOCALES.join(' ')}, in this thread:`);
  console.log(gifLine.line);
  console.log(pngLine.line);
  console.log(`  ratio GIF/PNG (cpu p50): ${(gifLine.cpuP50 / pngLine.cpuP50).toFixed(1)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
