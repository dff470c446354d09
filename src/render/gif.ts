import type { Canvas } from '@napi-rs/canvas';
import { applyPalette, GIFEncoder, quantize, type ColorFormat, type Encoder, type Palette } from 'gifenc';
import { canvasPixels, isOpaque, wholeBytes } from './encode';

/**
 * Animated GIFs with gifenc (pure JS: the server runs it on a render-pool
 * thread, render-pool.ts, and only falls back to the event loop, yielding
 * every `yieldEvery` frames, when no thread can be started). What keeps a
 * 60-frame 600×160 countdown cheap:
 *
 * - one palette for the whole animation, quantized once from the first frame
 *   (plus any frame that looks different, such as the expired state), written
 *   as the global colour table (GIF89a spec, https://www.w3.org/Graphics/GIF/spec-gif89a.txt,
 *   section 19);
 * - frame one is a full frame (Outlook for Windows shows only frame one,
 *   docs/ARCHITECTURE.md "Facts about email clients", so it must be complete
 *   on its own); every later frame is only the rectangle that changed since
 *   the frame before (the seconds digits, now and then the minutes), placed
 *   by its Image Descriptor's left and top (section 20) and kept on screen with
 *   disposal "do not dispose" (section 23, Graphic Control Extension);
 * - frames can arrive as the rectangle their drawing touched
 *   (GifFrameUpdates, from render/ticking-frames.ts), so neither the drawing
 *   nor reading back its pixels costs a whole picture per frame;
 * - only the changed rectangle is mapped to the palette and LZW-compressed,
 *   through one colour → index table shared by all frames (gifenc's
 *   applyPalette rebuilds its table on every call, which made it the largest
 *   cost);
 * - the changed rectangle is found with native row comparisons.
 */

/** Frames already drawn, as RGBA pixels of one size. */
export interface GifFramePixels {
  width: number;
  height: number;
  pixels: readonly Uint8Array[];
}

/** A rectangle of a frame: the whole picture, or the part of it that may differ from the frame before. */
export interface GifFrameUpdate {
  left: number;
  top: number;
  /** 0 (with height 0) when nothing changed. */
  width: number;
  height: number;
  /** RGBA, width × height × 4 bytes, row after row. */
  pixels: Uint8Array;
}

/**
 * Frames drawn one after another, each given as the rectangle its drawing
 * touched. The pixels of a whole frame are handed over: the encoder draws the
 * later rectangles into them to know what is on screen.
 */
export interface GifFrameUpdates {
  /** Frame `index`, asked for once each, in order from 0. Frame 0 is whole: its size is the picture's. */
  next(index: number): GifFrameUpdate;
  /** Frame `index` whole, for the palette (`paletteFrames`): asked for after frame 0 and before frame 1. */
  whole(index: number): Uint8Array;
}

export interface GifAnimationOptions {
  frameCount: number;
  /** Draws frame `index` (0-based). Called exactly once per frame, not necessarily in order. */
  drawFrame?(index: number): Canvas;
  /** The frames as pixels, instead of drawFrame. */
  frames?: GifFramePixels;
  /** The frames as the rectangles that changed, instead of drawFrame. */
  updates?: GifFrameUpdates;
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

  const source = options.updates ?? wholeFrames(options);
  const first = source.next(0);
  if (first.left !== 0 || first.top !== 0 || first.pixels.length !== first.width * first.height * 4 || first.width < 1 || first.height < 1) {
    throw new Error('encodeGifAnimation: frame 0 must be whole.');
  }
  const { width, height } = first;
  const paletteSources: Pixels[] = [first.pixels];
  for (const index of new Set(options.paletteFrames ?? [])) {
    if (index <= 0 || index >= frameCount) continue;
    const pixels = source.whole(index);
    if (pixels.length !== width * height * 4) throw new Error(`encodeGifAnimation: frame ${index} is not ${width}×${height}, as frame 0 is.`);
    paletteSources.push(pixels);
  }

  const opaque = paletteSources.every(isOpaque);
  const format: ColorFormat = opaque ? 'rgb565' : 'rgba4444';
  const palette = quantize(concat(paletteSources), 256, opaque ? { format } : { format, oneBitAlpha: true });
  const transparentIndex = opaque ? -1 : palette.findIndex((color) => (color[3] ?? 255) === 0);
  const transparency = transparentIndex >= 0 ? { transparent: true, transparentIndex } : {};

  // Frames with transparency are always whole (below): gifenc's own mapping serves them.
  const toIndices: ToIndices = opaque ? paletteMapper(palette, width * height) : (pixels) => applyPalette(pixels, palette, format);
  const gif = GIFEncoder({ initialCapacity: width * height });
  gif.writeFrame(toIndices(first.pixels, width, { left: 0, top: 0, right: width - 1, bottom: height - 1 }), width, height, {
    palette,
    delay: delayMs,
    repeat: options.loop && frameCount > 1 ? 0 : -1,
    dispose: opaque ? DISPOSE_KEEP : DISPOSE_BACKGROUND,
    ...transparency,
  });

  // What a viewer shows after the frame before: frame 0, with every later rectangle drawn over it.
  let screen = first.pixels;
  for (let index = 1; index < frameCount; index++) {
    if (index % yieldEvery === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const update = source.next(index);
    checkUpdate(update, index, width, height);
    const box = changedBox(screen, width, update);
    if (update.width === width && update.height === height) screen = update.pixels;
    else drawInto(screen, width, update);
    if (!opaque) {
      // Transparent pixels cannot be left "unchanged" in a partial frame: write whole frames.
      gif.writeFrame(toIndices(screen, width, { left: 0, top: 0, right: width - 1, bottom: height - 1 }), width, height, { delay: delayMs, dispose: DISPOSE_BACKGROUND, ...transparency });
    } else {
      // No change still gets its own one-pixel frame, so frame n is always second n.
      writePartialFrame(gif, screen, width, box ?? { left: 0, top: 0, right: 0, bottom: 0 }, toIndices, delayMs);
    }
  }
  gif.finish();
  return Buffer.from(gif.bytesView());
}

function checkUpdate(update: GifFrameUpdate, index: number, width: number, height: number): void {
  const { left, top, width: w, height: h } = update;
  const inside = left >= 0 && top >= 0 && w >= 0 && h >= 0 && left + w <= width && top + h <= height;
  if (!inside || update.pixels.length !== w * h * 4) {
    throw new Error(`encodeGifAnimation: frame ${index} is ${w}×${h} at (${left}, ${top}) with ${update.pixels.length} bytes; the picture is ${width}×${height}.`);
  }
}

/** Copies a rectangle into the picture shown. */
function drawInto(screen: Pixels, width: number, update: GifFrameUpdate): void {
  const rowBytes = update.width * 4;
  for (let y = 0; y < update.height; y++) {
    const from = y * rowBytes;
    screen.set(update.pixels.subarray(from, from + rowBytes), ((update.top + y) * width + update.left) * 4);
  }
}

/** Whole frames, drawn by the caller or given as pixels, as updates. */
function wholeFrames(options: GifAnimationOptions): GifFrameUpdates {
  const frameAt = framePixelSource(options);
  const early = new Map<number, Pixels>();
  let size: { width: number; height: number } | undefined;
  const sized = (index: number, frame: { data: Pixels; width: number; height: number }): Pixels => {
    size ??= frame;
    if (frame.width !== size.width || frame.height !== size.height) {
      throw new Error(`encodeGifAnimation: frame ${index} is ${frame.width}×${frame.height}, frame 0 is ${size.width}×${size.height}.`);
    }
    return frame.data;
  };
  return {
    next(index) {
      const kept = early.get(index);
      early.delete(index);
      const pixels = kept ?? sized(index, frameAt(index));
      const { width, height } = size as { width: number; height: number };
      return { left: 0, top: 0, width, height, pixels };
    },
    whole(index) {
      const pixels = sized(index, frameAt(index));
      early.set(index, pixels);
      return pixels;
    },
  };
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

/**
 * The smallest rectangle of `update` whose pixels differ from those under it
 * on `screen` (the picture shown, `width` pixels wide), in the picture's
 * coordinates; null when none does.
 */
export function changedBox(screen: Pixels, width: number, update: GifFrameUpdate): Box | null {
  const { left: x0, top: y0, width: w, height: h, pixels } = update;
  if (w === 0 || h === 0) return null;
  const rowBytes = w * 4;
  const a = Buffer.from(screen.buffer, screen.byteOffset, screen.byteLength);
  const b = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  // Buffer#compare is a native memcmp: whole rows are compared at C speed.
  const rowDiffers = (y: number): boolean => {
    const at = ((y0 + y) * width + x0) * 4;
    return b.compare(a, at, at + rowBytes, y * rowBytes, (y + 1) * rowBytes) !== 0;
  };
  let top = 0;
  while (top < h && !rowDiffers(top)) top++;
  if (top === h) return null;
  let bottom = h - 1;
  while (bottom > top && !rowDiffers(bottom)) bottom--;
  const wa = words(screen);
  const wb = words(pixels);
  let left = w;
  let right = -1;
  for (let y = top; y <= bottom; y++) {
    const rowA = (y0 + y) * width + x0;
    const rowB = y * w;
    for (let x = 0; x < left; x++) {
      if (wa[rowA + x] !== wb[rowB + x]) {
        left = x;
        break;
      }
    }
    for (let x = w - 1; x > right; x--) {
      if (wa[rowA + x] !== wb[rowB + x]) {
        right = x;
        break;
      }
    }
  }
  return { left: x0 + left, top: y0 + top, right: x0 + right, bottom: y0 + bottom };
}

/** The palette indices of a rectangle of a picture `width` pixels wide; valid until the next call. */
type ToIndices = (pixels: Pixels, width: number, box: Box) => Uint8Array;

/**
 * Opaque RGBA → palette indices with one table for the whole animation, so a
 * colour's nearest palette entry is searched for once, not once per frame.
 * The table is direct-mapped by RGB565 bin and remembers the exact colour
 * each bin was computed for: every pixel gets the nearest entry for its own
 * colour (gifenc's applyPalette reuses the first colour seen in a bin, which
 * across frames put a flat background on a neighbouring entry). A rectangle
 * is read straight from the picture into one buffer kept for the animation:
 * no copy of it, and no new buffer a frame (fresh memory is what costs most
 * for rectangles this small).
 */
function paletteMapper(palette: Palette, capacity: number): ToIndices {
  const size = palette.length;
  const pr = Int32Array.from(palette, (colour) => colour[0] ?? 0);
  const pg = Int32Array.from(palette, (colour) => colour[1] ?? 0);
  const pb = Int32Array.from(palette, (colour) => colour[2] ?? 0);
  const binColour = new Uint32Array(65536);
  const binIndex = new Int16Array(65536).fill(-1);
  const out = new Uint8Array(capacity);
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
  return (pixels, width, box) => {
    const colours = words(pixels);
    const boxWidth = box.right - box.left + 1;
    let i = 0;
    for (let y = box.top; y <= box.bottom; y++) {
      for (let at = y * width + box.left, end = at + boxWidth; at < end; at++, i++) {
        const colour = colours[at] as number;
        const p = at * 4;
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
    }
    return out.subarray(0, i);
  };
}

/**
 * gifenc writes every frame at (0, 0); a partial frame is written at its own
 * size and the Image Descriptor's left/top fields are patched afterwards. The
 * bytes written by writeFrame start with the Graphic Control Extension (8
 * bytes: 21 F9 04 …), then the Image Descriptor (2C, left, top, width, height).
 */
function writePartialFrame(gif: Encoder, screen: Pixels, width: number, box: Box, toIndices: ToIndices, delayMs: number): void {
  const boxWidth = box.right - box.left + 1;
  const boxHeight = box.bottom - box.top + 1;
  const at = gif.bytesView().length;
  gif.writeFrame(toIndices(screen, width, box), boxWidth, boxHeight, { delay: delayMs, dispose: DISPOSE_KEEP });
  const bytes = gif.bytesView();
  if (bytes[at] !== 0x21 || bytes[at + 1] !== 0xf9 || bytes[at + 8] !== 0x2c) {
    throw new Error('encodeGifAnimation: unexpected gifenc frame layout; cannot place a partial frame.');
  }
  bytes[at + 9] = box.left & 0xff;
  bytes[at + 10] = box.left >> 8;
  bytes[at + 11] = box.top & 0xff;
  bytes[at + 12] = box.top >> 8;
}
