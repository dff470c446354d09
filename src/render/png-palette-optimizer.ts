import { pngQuantize } from '@napi-rs/image';
import { strongEtag } from '../http/cache-policy';
import type { RenderedImage } from './render-cache';

/**
 * Re-encodes a PNG with a 256-colour palette chosen by libimagequant (the
 * quantizer behind pngquant, via @napi-rs/image), then an optimised deflate.
 *
 * Measured on the 51 golden cards (test/golden) with the defaults below: a
 * third of the bytes (873 KB → 299 KB in all; the recommendations card
 * 25.7 → 8.3 KB), no pixel over pixelmatch's threshold 0.1, every channel
 * within 11 of the original.
 * It costs 60–140 ms of one libuv pool thread per card, 10–20 times a cold
 * render, which is why the render cache only spends it on renderings that are
 * served again and again (render-cache.ts), never on the open that drew them.
 */
export interface PaletteOptions {
  /**
   * The lowest quality libimagequant may settle for (0–100, its scale); when a
   * card needs more colours than a palette can hold at this quality, the
   * truecolour PNG is kept. 85 keeps gradients and photographs honest.
   */
  minQuality?: number;
  /** The quality it aims for; higher keeps more colours. */
  maxQuality?: number;
  /** The palette version is kept only if at most this share of the original's bytes (default 0.9). */
  keepBelowRatio?: number;
}

/** Smaller PNG bytes for the same picture, or null when the palette does not pay (too few bytes saved, or quality not reachable). */
export type OptimizePng = (png: Buffer) => Promise<Buffer | null>;

export function paletteOptimizer(options: PaletteOptions = {}): OptimizePng {
  const minQuality = options.minQuality ?? 85;
  const maxQuality = options.maxQuality ?? 98;
  const keepBelowRatio = options.keepBelowRatio ?? 0.9;
  return async (png) => {
    let smaller: Buffer;
    try {
      smaller = await pngQuantize(png, { minQuality, maxQuality });
    } catch {
      // libimagequant refuses when minQuality cannot be met: the truecolour stays.
      return null;
    }
    return smaller.length <= png.length * keepBelowRatio ? smaller : null;
  };
}

/**
 * What the render cache hands popular renderings to: PNGs get the palette
 * re-encoding and a new strong ETag; GIFs (already palette images) stay.
 */
export function paletteReencoding(optimizePng: OptimizePng = paletteOptimizer()): (image: RenderedImage) => Promise<RenderedImage | null> {
  return async (image) => {
    if (image.contentType !== 'image/png') return null;
    const bytes = await optimizePng(image.bytes);
    return bytes === null ? null : { bytes, contentType: 'image/png', etag: strongEtag(bytes) };
  };
}
