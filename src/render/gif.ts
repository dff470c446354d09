import type { Canvas } from '@napi-rs/canvas';
import { applyPalette, GIFEncoder, quantize, type ColorFormat, type Encoder, type Palette } from 'gifenc';
import { canvasPixels, isOpaque, wholeBytes } from './encode';

/**
 * Animated GIFs with gifenc (pure JS: the server runs it on a render-pool
 * thread, render-pool.ts, and only falls back to the event loop, yielding
 * every `yieldEvery` frames, when no thread can be started). What keeps a 60-frame 600×150 countdown in a few tens of ms:
 *
 * - one palette for the whole animation, quantized once from the first frame
 *   (plus any frame that looks different, such as the expired state), written
 *   as the global colour table;
 * - frame one is a full frame (Outlook for Windows shows only frame one, so it
 *   must be complete on its own); every later frame is only the rectangle that
 *   changed since the frame before (the seconds digits, now and then the
 *   minutes), kept on screen with disposal "do not dispose";
 * - only that rectangle is mapped to the palette and LZW-compressed, through
 *   one colour → index table shared by all frames (gifenc's applyPalette
 *   rebuilds its table on every call, which made it the largest cost);
 * - the changed rectangle is found with native row comparisons.
 */

/** Frames already drawn, as RGBA pixels of one size. */
export interface GifFramePixels {
  width: number;
  height: number;
  pixels: readonly Uint8Array[];
}

export interface GifAnimationOptions {
  frameCount: number;
  /** Draws frame `index` (0-based). Called exactly once per frame, not necessarily in order. */
  drawFrame?(index: number): Canvas;
  /** The frames as pixels, instead of drawFrame. */
  frames?: GifFramePixels;
  /** Display time of each frame. */
  delayMs: number;
  /** true: loop forever; false: play once and rest on the last frame. */
  loop: boolean;
  /** Frames besides the first whose colours the shared palette must also cover (e.g. the expired state). */
  paletteFrames?: readonly number[];
  /** Give other requests a turn on the event loop after this many frames (default 6). */
  yieldEvery?: number;
}

/** Disposal method 1: leave the frame in place; the next (partial) frame is drawn over it. */
const DISPOSE_KEEP = 1;
/** Disposal method 2: restore to background; used for frames with transparency, which are always whole. */
const DISPOSE_BACKGROUND = 2;

type Pixels = Uint8Array;

export async function encodeGifAnimation(options: GifAnimationOptions): Promise<Buffer> {
  const { frameCount, delayMs } = options;
  if (!Number.isInteger(frameCount) || frameCount < 1) throw new Error(`encodeGifAnimation: expected at least one frame; received ${frameCount}.`);
  const yieldEvery = Math.max(1, options.yieldEvery ?? 6);

  const frameAt = framePixelSource(options);
  const early = new Map<number, Pixels>();
  const pixelsOf = (index: number): { data: Pixels; width: number; height: number } => {
    const kept = early.get(index);
    if (kept) {
      early.delete(index);
      return { data: kept, width, height };
    }
    return frameAt(index);
  };

  const first = frameAt(0);
  const { width, height } = first;
  const paletteSources: Pixels[] = [first.data];
  for (const index of new Set(options.paletteFrames ?? [])) {
    if (index <= 0 || index >= frameCount) continue;
    const frame = frameAt(index);
    if (frame.width !== width || frame.height !== height) throw new Error(`encodeGifAnimation: frame ${index} is ${frame.width}×${frame.height}, frame 0 is ${width}×${height}.`);
    early.set(index, frame.data);
    paletteSources.push(frame.data);
  }

  const opaque = paletteSources.every(isOpaque);
  const format: ColorFormat = opaque ? 'rgb565' : 'rgba4444';
  const palette = quantize(concat(paletteSources), 256, opaque ? { format } : { format, oneBitAlpha: true });
  const transparentIndex = opaque ? -1 : palette.findIndex((color) => (color[3] ?? 255) === 0);
  const transparency = transparentIndex >= 0 ? { transparent: true, transparentIndex } : {};

  const toIndices = opaque ? paletteMapper(palette) : (pixels: Uint8Array) => applyPalette(pixels, palette, format);
  const gif = GIFEncoder({ initialCapacity: width * height });
  gif.writeFrame(toIndices(first.data), width, height, {
    palette,
    delay: delayMs,
    repeat: options.loop && frameCount > 1 ? 0 : -1,
    dispose: opaque ? DISPOSE_KEEP : DISPOSE_BACKGROUND,
    ...transparency,
  });

  let previous = first.data;
  for (let index = 1; index < frameCount; index++) {
    if (index % yieldEvery === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const frame = pixelsOf(index);
    if (frame.width !== width || frame.height !== height) throw new Error(`encodeGifAnimation: frame ${index} is ${frame.width}×${frame.height}, frame 0 is ${width}×${height}.`);
    if (!opaque) {
      // Transparent pixels cannot be left "unchanged" in a partial frame: write whole frames.
      gif.writeFrame(toIndices(frame.data), width, height, { delay: delayMs, dispose: DISPOSE_BACKGROUND, ...transparency });
    } else {
      // No change still gets its own one-pixel frame, so frame n is always second n.
      const box = changedBox(previous, frame.data, width, height) ?? { left: 0, top: 0, right: 0, bottom: 0 };
      writePartialFrame(gif, frame.data, width, box, toIndices, delayMs);
    }
    previous = frame.data;
  }
  gif.finish();
  return Buffer.from(gif.bytesView());
}

function framePixelSource(options: GifAnimationOptions): (index: number) => { data: Pixels; width: number; height: number } {
  const { drawFrame, frames } = options;
  if (frames) {
    if (frames.pixels.length < options.frameCount) throw new Error(`encodeGifAnimation: expected ${options.frameCount} frames of pixels; received ${frames.pixels.length}.`);
    return (index) => ({ data: wholeBytes(frames.pixels[index] as Pixels), width: frames.width, height: frames.height });
  }
  if (!drawFrame) throw new Error('encodeGifAnimation: expected drawFrame or frames.');
  return (index) => canvasPixels(drawFrame(index));
}

/** A single still frame (non-countdown blocks asked for as `.gif`). */
export function encodeGifStill(canvas: Canvas): Promise<Buffer> {
  return encodeGifAnimation({ frameCount: 1, drawFrame: () => canvas, delayMs: 0, loop: false });
}

interface Box {
  left: number;
  top: number;
  /** Inclusive. */
  right: number;
  bottom: number;
}

function concat(parts: readonly Pixels[]): Pixels {
  if (parts.length === 1) return wholeBytes(parts[0] as Pixels);
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function words(data: Pixels): Uint32Array {
  return data.byteOffset % 4 === 0
    ? new Uint32Array(data.buffer, data.byteOffset, data.length / 4)
    : new Uint32Array(Uint8Array.from(data).buffer);
}

/** The smallest rectangle holding every pixel that differs, or null when none does. */
export function changedBox(before: Pixels, after: Pixels, width: number, height: number): Box | null {
  const rowBytes = width * 4;
  const a = Buffer.from(before.buffer, before.byteOffset, before.byteLength);
  const b = Buffer.from(after.buffer, after.byteOffset, after.byteLength);
  // Buffer#equals is a native memcmp: whole rows are compared at C speed.
  const rowDiffers = (y: number): boolean => !a.subarray(y * rowBytes, (y + 1) * rowBytes).equals(b.subarray(y * rowBytes, (y + 1) * rowBytes));
  let top = 0;
  while (top < height && !rowDiffers(top)) top++;
  if (top === height) return null;
  let bottom = height - 1;
  while (bottom > top && !rowDiffers(bottom)) bottom--;
  const wa = words(before);
  const wb = words(after);
  let left = width;
  let right = -1;
  for (let y = top; y <= bottom; y++) {
    const row = y * width;
    for (let x = 0; x < left; x++) {
      if (wa[row + x] !== wb[row + x]) {
        left = x;
        break;
      }
    }
    for (let x = width - 1; x > right; x--) {
      if (wa[row + x] !== wb[row + x]) {
        right = x;
        break;
      }
    }
  }
  return { left, top, right, bottom };
}

/**
 * Opaque RGBA → palette indices with one table for the whole animation, so a
 * colour's nearest palette entry is searched for once, not once per frame.
 * The table is direct-mapped by RGB565 bin and remembers the exact colour
 * each bin was computed for: every pixel gets the nearest entry for its own
 * colour (gifenc's applyPalette reuses the first colour seen in a bin, which
 * across frames put a flat background on a neighbouring entry).
 */
function paletteMapper(palette: Palette): (pixels: Uint8Array) => Uint8Array {
  const size = palette.length;
  const pr = Int32Array.from(palette, (colour) => colour[0] ?? 0);
  const pg = Int32Array.from(palette, (colour) => colour[1] ?? 0);
  const pb = Int32Array.from(palette, (colour) => colour[2] ?? 0);
  const binColour = new Uint32Array(65536);
  const binIndex = new Int16Array(65536).fill(-1);
  const nearest = (r: number, g: number, b: number): number => {
    let best = 0;
    let bestDistance = Infinity;
    for (let i = 0; i < size; i++) {
      const dr = r - (pr[i] as number);
      const dg = g - (pg[i] as number);
      const db = b - (pb[i] as number);
      const distance = dr * dr + dg * dg + db * db;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = i;
        if (distance === 0) break;
      }
    }
    return best;
  };
  return (pixels) => {
    const count = pixels.length >> 2;
    const colours = words(pixels);
    const out = new Uint8Array(count);
    for (let i = 0, p = 0; i < count; i++, p += 4) {
      const colour = colours[i] as number;
      const r = pixels[p] as number;
      const g = pixels[p + 1] as number;
      const b = pixels[p + 2] as number;
      const bin = ((r & 0xf8) << 8) | ((g & 0xfc) << 3) | (b >> 3);
      let index = binIndex[bin] as number;
      if (index < 0 || binColour[bin] !== colour) {
        index = nearest(r, g, b);
        binIndex[bin] = index;
        binColour[bin] = colour;
      }
      out[i] = index;
    }
    return out;
  };
}

/**
 * gifenc writes every frame at (0, 0); a partial frame is written at its own
 * size and the Image Descriptor's left/top fields are patched afterwards. The
 * bytes written by writeFrame start with the Graphic Control Extension (8
 * bytes: 21 F9 04 …), then the Image Descriptor (2C, left, top, width, height).
 */
function writePartialFrame(gif: Encoder, data: Pixels, width: number, box: Box, toIndices: (pixels: Uint8Array) => Uint8Array, delayMs: number): void {
  const boxWidth = box.right - box.left + 1;
  const boxHeight = box.bottom - box.top + 1;
  const crop = new Uint8Array(boxWidth * boxHeight * 4);
  for (let y = 0; y < boxHeight; y++) {
    const from = ((box.top + y) * width + box.left) * 4;
    crop.set(data.subarray(from, from + boxWidth * 4), y * boxWidth * 4);
  }
  const at = gif.bytesView().length;
  gif.writeFrame(toIndices(crop), boxWidth, boxHeight, { delay: delayMs, dispose: DISPOSE_KEEP });
  const bytes = gif.bytesView();
  if (bytes[at] !== 0x21 || bytes[at + 1] !== 0xf9 || bytes[at + 8] !== 0x2c) {
    throw new Error('encodeGifAnimation: unexpected gifenc frame layout; cannot place a partial frame.');
  }
  bytes[at + 9] = box.left & 0xff;
  bytes[at + 10] = box.left >> 8;
  bytes[at + 11] = box.top & 0xff;
  bytes[at + 12] = box.top >> 8;
}
