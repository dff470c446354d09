import { Worker } from 'node:worker_threads';
import { applyPalette, quantize, type Palette } from 'gifenc';

/**
 * Colour quantization for palette PNGs, on a worker thread. Quantizing and
 * mapping a 600×300 card with photographs takes 10–20 ms of plain JS (gifenc);
 * on the event loop that would stall every JSON open behind one cold image.
 * One worker is enough (the servers have few cores, and the encoded result is
 * cached); jobs queue in its message port.
 *
 * The worker runs from source text (eval) so the same code works from the
 * compiled build and under ts-jest, which cannot hand a .ts file to a Worker.
 * If a worker cannot be started the work runs in-thread: slower, still correct.
 */

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { quantize, applyPalette } = require(workerData.gifenc);
parentPort.on('message', ({ id, pixels, opaque }) => {
  try {
    const format = opaque ? 'rgb565' : 'rgba4444';
    const data = new Uint8Array(pixels);
    const palette = quantize(data, 256, { format });
    const indices = applyPalette(data, palette, format);
    parentPort.postMessage({ id, palette, indices }, [indices.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

export interface Quantized {
  palette: Palette;
  indices: Uint8Array;
}

interface Job {
  resolve(result: Quantized): void;
  reject(error: Error): void;
}

let worker: Worker | null | undefined;
let nextId = 0;
const jobs = new Map<number, Job>();

function failAll(error: Error): void {
  for (const job of jobs.values()) job.reject(error);
  jobs.clear();
}

function startWorker(): Worker | null {
  try {
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { gifenc: require.resolve('gifenc') } });
    started.unref(); // an idle worker must not keep the process alive
    started.on('message', (message: { id: number; palette?: Palette; indices?: Uint8Array; error?: string }) => {
      const job = jobs.get(message.id);
      jobs.delete(message.id);
      if (!job) return;
      if (message.error !== undefined || !message.palette || !message.indices) job.reject(new Error(`palette worker: ${message.error ?? 'no result'}`));
      else job.resolve({ palette: message.palette, indices: new Uint8Array(message.indices) });
    });
    const retire = (error: Error): void => {
      if (worker === started) worker = undefined; // the next job starts a fresh one
      failAll(error);
    };
    started.on('error', retire);
    started.on('exit', (code) => retire(new Error(`palette worker exited with code ${code}`)));
    return started;
  } catch {
    return null;
  }
}

/** The same work in the calling thread (a render-pool thread is already off the event loop). */
export function quantizeInThread(pixels: Uint8Array, opaque: boolean): Quantized {
  const format = opaque ? 'rgb565' : 'rgba4444';
  const palette = quantize(pixels, 256, { format });
  return { palette, indices: applyPalette(pixels, palette, format) };
}

/**
 * A ≤256-colour palette for the pixels and each pixel's index in it.
 * `pixels` must span its whole ArrayBuffer; the buffer is transferred to the
 * worker (detached here), so the caller must not use it afterwards.
 */
export function quantizeOffThread(pixels: Uint8Array, opaque: boolean): Promise<Quantized> {
  if (worker === undefined) worker = startWorker();
  const target = worker;
  if (!target) return Promise.resolve(quantizeInThread(pixels, opaque));
  return new Promise<Quantized>((resolve, reject) => {
    const id = nextId++;
    // While a job is pending the worker must keep the process alive, or the promise would never settle.
    target.ref();
    const settle = (): void => {
      if (jobs.size === 0) target.unref();
    };
    jobs.set(id, {
      resolve: (result) => {
        resolve(result);
        settle();
      },
      reject: (error) => {
        reject(error);
        settle();
      },
    });
    target.postMessage({ id, pixels: pixels.buffer, opaque }, [pixels.buffer as ArrayBuffer]);
  });
}

/** Stops the worker (tests and shutdown); a later job starts a new one. */
export async function stopPaletteWorker(): Promise<void> {
  const current = worker;
  worker = undefined;
  if (current) await current.terminate();
}
