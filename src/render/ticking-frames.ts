import type { Canvas, Image, SKRSContext2D } from '@napi-rs/canvas';
import type { Ticks } from '../kinds/kind';
import { withKindOf, type ShownView } from '../kinds/kind-of-view';
import { drawBlock } from './draw-block';
import type { DrawEnv } from './draw-env';
import { canvasPixels, wholeBytes } from './encode';
import type { GifFrameUpdate, GifFrameUpdates } from './gif';
import { clampScale, type Theme } from './theme';

/**
 * The frames of an animation (views one second apart) for the GIF encoder,
 * drawn on one canvas one after another: a view whose kind declares ticks
 * (Animation.ticks, kinds/kind.ts) has its still drawn once, and each later
 * second redraws, and reads back, only the boxes of the parts whose content
 * changed; the encoder gets just that rectangle. Drawing every frame whole
 * and reading back every pixel of it (getImageData allocates and converts
 * the whole picture) was most of what a fresh countdown GIF cost.
 *
 * A view without ticks (a fallback item, the expired state) is drawn whole,
 * and so is the first view after it, or after its still changed (the
 * last-day headline, a unit name going from plural to singular).
 */
export function tickingFrames(views: readonly ShownView[], theme: Theme, scale: number): GifFrameUpdates {
  const env: DrawEnv = { images: NO_IMAGES };
  const density = clampScale(theme, scale);
  /** The canvas showing the frame before, when its view has ticks. */
  let shown: Shown | null = null;
  /** Frames drawn whole ahead of their turn, for the palette. */
  const early = new Map<number, GifFrameUpdate>();

  const draw = (view: ShownView): Canvas => drawBlock(view, theme, { scale, images: NO_IMAGES });

  function drawNew(view: ShownView, ticks: Ticks<ShownView> | null, key: string): GifFrameUpdate {
    if (!ticks) {
      shown = null;
      return wholeFrame(draw(view));
    }
    // Drawn twice: one copy to restore boxes from, one to draw the parts over.
    const still = draw(ticks.still);
    const canvas = draw(ticks.still);
    const ctx = canvas.getContext('2d');
    for (const part of ticks.parts) part.draw(ctx, env);
    shown = { canvas, still, key, shows: ticks.parts.map((part) => part.shows) };
    return wholeFrame(canvas);
  }

  /** Redraws the parts whose content changed since the frame before, over the same still. */
  function drawChanges(from: Shown, ticks: Ticks<ShownView>): GifFrameUpdate {
    const { canvas, still } = from;
    const ctx = canvas.getContext('2d');
    let changed: DeviceRect | null = null;
    ticks.parts.forEach((part, index) => {
      if (part.shows === from.shows[index]) return;
      const rect = deviceRect(part.box, density, canvas);
      restore(ctx, still, rect);
      part.draw(ctx, env);
      changed = changed ? union(changed, rect) : rect;
    });
    from.shows = ticks.parts.map((part) => part.shows);
    const rect = changed as DeviceRect | null;
    if (!rect || rect.width === 0 || rect.height === 0) return { left: 0, top: 0, width: 0, height: 0, pixels: new Uint8Array(0) };
    const pixels = wholeBytes(ctx.getImageData(rect.left, rect.top, rect.width, rect.height).data);
    return { ...rect, pixels };
  }

  return {
    next(index) {
      const kept = early.get(index);
      const view = views[index] as ShownView;
      if (kept) {
        early.delete(index);
        shown = null;
        return kept;
      }
      const ticks = ticksOf(view, theme);
      // Views are plain data (docs/ARCHITECTURE.md "Views"): equal JSON, equal still and boxes.
      const key = ticks ? JSON.stringify([ticks.still, ticks.parts.map((part) => part.box)]) : '';
      if (ticks && shown && shown.key === key) return drawChanges(shown, ticks);
      return drawNew(view, ticks, key);
    },
    whole(index) {
      const frame = wholeFrame(draw(views[index] as ShownView));
      early.set(index, frame);
      return frame.pixels;
    },
  };
}

const NO_IMAGES: ReadonlyMap<string, Image | null> = new Map();

interface Shown {
  canvas: Canvas;
  /** The still the canvas was drawn from, kept to restore a part's box before it is drawn again. */
  still: Canvas;
  /** The still and the parts' boxes, as JSON. */
  key: string;
  /** What each part shows on the canvas. */
  shows: string[];
}

interface DeviceRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

function ticksOf(view: ShownView, theme: Theme): Ticks<ShownView> | null {
  // A narrow picture (render/layout.ts) ticks as its narrow drawing says, or is drawn whole each frame.
  return (
    withKindOf<Ticks<ShownView> | null>(view, (kind, own) =>
      theme.layout === 'narrow' ? (kind.narrow?.ticks?.(own, theme) ?? null) : (kind.animation?.ticks?.(own, theme) ?? null),
    ) ?? null
  );
}

function wholeFrame(canvas: Canvas): GifFrameUpdate {
  const { data, width, height } = canvasPixels(canvas);
  return { left: 0, top: 0, width, height, pixels: data };
}

/** A box in CSS pixels as whole canvas pixels covering it, inside the canvas. */
function deviceRect(box: Ticks<ShownView>['parts'][number]['box'], density: number, canvas: Canvas): DeviceRect {
  const left = Math.max(0, Math.floor(box.x * density));
  const top = Math.max(0, Math.floor(box.y * density));
  const right = Math.min(canvas.width, Math.ceil((box.x + box.width) * density));
  const bottom = Math.min(canvas.height, Math.ceil((box.y + box.height) * density));
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

function union(a: DeviceRect, b: DeviceRect): DeviceRect {
  const left = Math.min(a.left, b.left);
  const top = Math.min(a.top, b.top);
  const right = Math.max(a.left + a.width, b.left + b.width);
  const bottom = Math.max(a.top + a.height, b.top + b.height);
  return { left, top, width: right - left, height: bottom - top };
}

/** Puts the still's pixels back in a rectangle: cleared first, so even a translucent still is copied, not blended. */
function restore(ctx: SKRSContext2D, still: Canvas, rect: DeviceRect): void {
  if (rect.width === 0 || rect.height === 0) return;
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalAlpha = 1;
  ctx.globalCompositeOperation = 'source-over';
  ctx.clearRect(rect.left, rect.top, rect.width, rect.height);
  ctx.drawImage(still, rect.left, rect.top, rect.width, rect.height, rect.left, rect.top, rect.width, rect.height);
  ctx.restore();
}
