import { Image } from '@napi-rs/canvas';
import { LRUCache } from 'lru-cache';
import type { ShownView } from '../kinds/kind-of-view';
import { drawBlock } from './draw-block';
import { canvasPixels, encodePng, type PngEncodeOptions } from './encode';
import { encodeGifAnimation, type GifAnimationOptions } from './gif';
import { cropCanvas, type PartRect } from './image-parts';
import { quantizeInThread } from './palette-worker';
import { tickingFrames } from './ticking-frames';
import type { Theme } from './theme';
import { warmUpRenderer } from './warm-up';

/**
 * The code a render-pool thread runs (render-pool.ts). Each task is plain data
 * in and encoded bytes out, so the event loop only posts a message and gets
 * one back: drawing (text layout, product pictures), reading the pixels and
 * encoding, PNG and GIF, all happen here. A 60-frame countdown GIF is
 * tens of ms of CPU, a product card several ms.
 */

export type GifTiming = Pick<GifAnimationOptions, 'delayMs' | 'loop' | 'paletteFrames'>;

export interface DrawGifTask {
  /** One view per frame; views with product pictures are drawn by the caller (they need its image loader). */
  views: readonly ShownView[];
  theme: Theme;
  scale: number;
  timing: GifTiming;
}

export interface EncodeGifTask {
  /** RGBA pixels of each frame (transferred, not copied), all width × height. */
  frames: readonly Uint8Array[];
  width: number;
  height: number;
  timing: GifTiming;
}

export interface PictureBytes {
  url: string;
  /** The encoded picture as the image loader fetched it; null: it failed, draw the placeholder. */
  bytes: Uint8Array | null;
}

export interface DrawPngTask {
  view: ShownView;
  theme: Theme;
  scale: number;
  /** A part of the picture (image-parts.ts); null: the whole. */
  rect: PartRect | null;
  pictures: readonly PictureBytes[];
}

/**
 * Product pictures decoded in this thread, by URL. The event loop sends the
 * encoded bytes with every task (it cannot send a decoded image); a picture
 * whose bytes are those decoded before is not decoded again.
 */
const decoded = new LRUCache<string, { bytes: Uint8Array; image: Image }>({ max: 512 });

function picturesOf(pictures: readonly PictureBytes[]): Map<string, Image | null> {
  const images = new Map<string, Image | null>();
  for (const { url, bytes } of pictures) {
    if (bytes === null) {
      images.set(url, null);
      continue;
    }
    const known = decoded.get(url);
    if (known && Buffer.from(known.bytes.buffer, known.bytes.byteOffset, known.bytes.byteLength).equals(bytes)) {
      images.set(url, known.image);
      continue;
    }
    const image = new Image();
    image.src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    decoded.set(url, { bytes, image });
    images.set(url, image);
  }
  return images;
}

/**
 * The work of each task, for a pool thread (below) and for the pool's
 * fallback in the calling thread (render-pool.ts), which passes its own
 * decoded pictures, its palette quantizer and a yield between GIF frames.
 */
export function renderPng(task: Omit<DrawPngTask, 'pictures'>, images: ReadonlyMap<string, Image | null>, quantize?: PngEncodeOptions['quantize']): Promise<Buffer> {
  const canvas = drawBlock(task.view, task.theme, { scale: task.scale, images });
  const part = task.rect ? cropCanvas(canvas, task.rect, task.scale) : canvas;
  return encodePng(canvasPixels(part), { quantize });
}

/** A GIF of views that need no pictures; the frames are drawn as only what changes from second to second (ticking-frames.ts). */
export function renderGif(task: DrawGifTask, yieldEvery: number): Promise<Buffer> {
  return encodeGifAnimation({ ...task.timing, frameCount: task.views.length, updates: tickingFrames(task.views, task.theme, task.scale), yieldEvery });
}

export function renderGifFrames(task: EncodeGifTask, yieldEvery: number): Promise<Buffer> {
  return encodeGifAnimation({ ...task.timing, frameCount: task.frames.length, frames: { width: task.width, height: task.height, pixels: task.frames }, yieldEvery });
}

/** Draws one view (or a part of it) with its pictures and encodes it as a PNG. */
export function drawPng(task: DrawPngTask): Promise<Buffer> {
  return renderPng(task, picturesOf(task.pictures), quantizeInThread);
}

/** Draws the frames here and encodes them: what a countdown GIF costs, off the event loop. */
export function drawGif(task: DrawGifTask): Promise<Buffer> {
  return renderGif(task, Number.POSITIVE_INFINITY);
}

/** Encodes frames drawn by the caller. */
export function encodeGif(task: EncodeGifTask): Promise<Buffer> {
  return renderGifFrames(task, Number.POSITIVE_INFINITY);
}

/** Loads Skia and the fonts in this thread before the first real task (about half a second). */
export function warmUp(): boolean {
  warmUpRenderer();
  return true;
}
