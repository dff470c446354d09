import type { BlockView } from '../blocks/kind';
import { drawBlock } from './draw-block';
import { encodeGifAnimation, type GifAnimationOptions } from './gif';
import type { Theme } from './theme';
import { warmUpRenderer } from './warm-up';

/**
 * The code a render-pool thread runs (render-pool.ts). Each task is plain data
 * in and encoded bytes out, so the event loop only posts a message and gets
 * one back: drawing sixty countdown frames, reading their pixels and the GIF
 * encoding (hundreds of ms at scale 2, docs/ARCHITECTURE.md "Where the time
 * goes") all happen here.
 */

export type GifTiming = Pick<GifAnimationOptions, 'delayMs' | 'loop' | 'paletteFrames'>;

export interface DrawGifTask {
  /** One view per frame; views with product pictures are drawn by the caller (they need its image loader). */
  views: readonly BlockView[];
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

const NO_IMAGES = new Map();

/** Draws the frames here and encodes them: what a countdown GIF costs, off the event loop. */
export function drawGif(task: DrawGifTask): Promise<Buffer> {
  return encodeGifAnimation({
    ...task.timing,
    frameCount: task.views.length,
    drawFrame: (index) => drawBlock(task.views[index] as BlockView, task.theme, { scale: task.scale, images: NO_IMAGES }),
    yieldEvery: Number.POSITIVE_INFINITY,
  });
}

/** Encodes frames drawn by the caller. */
export function encodeGif(task: EncodeGifTask): Promise<Buffer> {
  return encodeGifAnimation({
    ...task.timing,
    frameCount: task.frames.length,
    frames: { width: task.width, height: task.height, pixels: task.frames },
    yieldEvery: Number.POSITIVE_INFINITY,
  });
}

/** Loads Skia and the fonts in this thread before the first real task (about half a second). */
export function warmUp(): boolean {
  warmUpRenderer();
  return true;
}
