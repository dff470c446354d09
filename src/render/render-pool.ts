import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Image } from '@napi-rs/canvas';
import { Piscina } from 'piscina';
import { packageRoot } from '../package-root';
import { renderGif, renderGifFrames, renderPng, type DrawGifTask, type DrawPngTask, type EncodeGifTask } from './render-worker';

/**
 * Worker threads for drawing and encoding images (PNG and GIF), so renders use
 * every core and the event loop keeps answering JSON, health checks and cached
 * images while a cold card costs milliseconds and a countdown GIF tens to
 * hundreds of ms of CPU.
 *
 * The pool is bounded twice: a PNG or GIF still is taken while fewer than
 * `threads + queueLimit` tasks of any kind are in flight, and an animated GIF
 * while fewer than `animationsPerThread × threads` animations are. A task
 * beyond its bound is refused at once with RenderPoolBusy: a PNG is then
 * drawn on the event loop as before (the overload gauge,
 * http/event-loop-lag.ts, sheds those when the loop runs late), and a GIF is
 * answered with its first frame as a PNG instead of queueing without end.
 * Animations have a bound of their own so that a wave of pictures filling
 * the queue (an Apple Mail prefetch) still gets its countdowns ticking.
 */

export interface RenderPoolOptions {
  /** Threads (default: the number of cores). */
  threads?: number;
  /** Tasks that may wait for a thread (default: 16 per thread, a few ms each for a PNG; animations have their own bound, see submit). */
  queueLimit?: number;
  /**
   * Animated GIFs in flight per thread, running or waiting (default 8: a fresh one costs tens of ms,
   * so the last waits a few hundred ms). Counted apart from other tasks: a prefetch wave full of
   * pictures must not turn its countdowns into still first frames.
   */
  animationsPerThread?: number;
  /** The compiled worker module; default: render-worker.js beside this file in dist. */
  workerFile?: string | null;
}

export interface RenderPoolStats {
  threads: number;
  running: number;
  queued: number;
  /** Tasks refused because the pool was full. */
  refused: number;
  completed: number;
}

/** The pool is full: the caller should answer a cheaper image. */
export class RenderPoolBusy extends Error {
  constructor() {
    super('render pool busy: every thread is working and the queue is full');
    this.name = 'RenderPoolBusy';
  }
}

/** Without threads, a GIF drawn on the event loop gives other requests a turn after this many frames. */
const IN_THREAD_YIELD_EVERY = 6;

/**
 * How much lower render threads run than the event loop (nice(2) steps): the
 * lowest, so when the cores are short the event loop (JSON, health checks,
 * cached images) gets nearly all it asks for and renders take what is left;
 * with the cores free, renders run as fast as at any other niceness
 * (docs/ARCHITECTURE.md, "Render threads and overload").
 */
const RENDER_THREAD_NICENESS = 19;

export class RenderPool {
  private readonly piscina: Piscina | null;
  private readonly queueLimit: number;
  private readonly threads: number;
  private running = 0;
  private animations = 0;
  private readonly animationLimit: number;
  private refused = 0;
  private completed = 0;

  constructor(options: RenderPoolOptions = {}) {
    this.threads = Math.max(1, Math.floor(options.threads ?? defaultRenderThreads()));
    this.queueLimit = Math.max(0, Math.floor(options.queueLimit ?? this.threads * 16));
    this.animationLimit = Math.max(0, Math.floor((options.animationsPerThread ?? 8) * this.threads));
    const workerFile = options.workerFile === undefined ? compiledWorkerFile() : options.workerFile;
    this.piscina =
      workerFile === null
        ? null
        : new Piscina({
            filename: workerFile,
            minThreads: this.threads,
            maxThreads: this.threads,
            // Threads stay, so no open pays for starting one and loading Skia and the fonts again.
            idleTimeout: Number.POSITIVE_INFINITY,
            // A thread waits for work with Atomics.waitAsync, not the blocking Atomics.wait, which stops the
            // thread's event loop between tasks and made every GIF from the pool several times slower.
            atomics: 'async',
            // Below the event loop's priority: when cores are short, JSON answers, health checks and
            // cached images go first, and renders take what is left (Linux; ignored elsewhere).
            niceIncrement: RENDER_THREAD_NICENESS,
            // First come, first drawn. By default piscina puts a task it could not hand to a busy
            // thread at the back of the queue again, so under steady load a few opens were passed
            // over until the load ended (seconds at p99 while the median was 140 ms).
            stricterFIFO: true,
          });
  }

  /** Whether work runs on threads (false: in this thread, when no compiled worker exists, as under a bare ts-jest run). */
  get threaded(): boolean {
    return this.piscina !== null;
  }

  /** Starts every thread and loads Skia and the fonts in each, so the first GIF does not pay for it. */
  async warmUp(): Promise<void> {
    const piscina = this.piscina;
    if (!piscina) return;
    await Promise.all(Array.from({ length: this.threads }, () => piscina.run(undefined, { name: 'warmUp' })));
  }

  /**
   * Draws and encodes a PNG. Its pictures come as bytes: the caller's decoded
   * images cannot cross to a thread, so a thread decodes (and keeps) its own.
   */
  drawPng(task: DrawPngTask, images: ReadonlyMap<string, Image | null>): Promise<Buffer> {
    return this.submit('drawPng', task, [], false, () => renderPng(task, images));
  }

  /** Draws and encodes a GIF of views that need no product pictures. */
  drawGif(task: DrawGifTask): Promise<Buffer> {
    return this.submit('drawGif', task, [], task.views.length > 1, () => renderGif(task, IN_THREAD_YIELD_EVERY));
  }

  /** Encodes frames drawn here; their pixel buffers are handed over (detached in this thread). */
  encodeGif(task: EncodeGifTask): Promise<Buffer> {
    const transfer = task.frames.map((frame) => frame.buffer as ArrayBuffer);
    return this.submit('encodeGif', task, transfer, task.frames.length > 1, () => renderGifFrames(task, IN_THREAD_YIELD_EVERY));
  }

  stats(): RenderPoolStats {
    return { threads: this.threads, running: this.running, queued: this.piscina?.queueSize ?? 0, refused: this.refused, completed: this.completed };
  }

  async close(): Promise<void> {
    await this.piscina?.destroy();
  }

  /**
   * `animation`: an animated GIF, tens to hundreds of ms, bounded by the
   * animations in flight alone. Everything else (a PNG, a GIF still, a few ms)
   * fits while fewer than threads + queueLimit tasks of any kind are in flight,
   * so the first frame answered for a refused GIF never waits behind animations.
   */
  private async submit(name: string, task: unknown, transfer: ArrayBuffer[], animation: boolean, inThread: () => Promise<Buffer>): Promise<Buffer> {
    // Counted here, not from piscina's queue, so the bound holds the moment a burst arrives.
    if (animation ? this.animations >= this.animationLimit : this.running >= this.threads + this.queueLimit) {
      this.refused++;
      throw new RenderPoolBusy();
    }
    this.running++;
    if (animation) this.animations++;
    try {
      if (!this.piscina) return await inThread();
      const bytes = (await this.piscina.run(task, { name, transferList: transfer })) as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } finally {
      this.running--;
      if (animation) this.animations--;
      this.completed++;
    }
  }
}

let shared: RenderPool | undefined;

/**
 * The process's pool, started on first use (every app and CLI command of one
 * process shares its threads); `threads` applies when this call starts it.
 */
export function sharedRenderPool(threads?: number): RenderPool {
  return (shared ??= new RenderPool({ threads }));
}

/** Stops the shared pool's threads (shutdown, tests); a later use starts a new one. */
export async function closeSharedRenderPool(): Promise<void> {
  const current = shared;
  shared = undefined;
  await current?.close();
}

/** One thread per core (the server passes OPENTIME_RENDER_THREADS when set). */
export function defaultRenderThreads(): number {
  return os.availableParallelism();
}

/**
 * The worker's compiled file. From dist (the server, the CLI) it sits beside
 * this one; from src (ts-jest, which cannot hand a .ts file to a thread) it is
 * the build's copy, which `npm test` makes first. Null when there is none.
 */
function compiledWorkerFile(): string | null {
  const here = __filename.endsWith('.js') ? __dirname : path.join(packageRoot(), 'dist', path.relative(packageRoot(), __dirname));
  const file = path.join(here, 'render-worker.js');
  return fs.existsSync(file) ? file : null;
}
