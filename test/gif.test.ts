import { createCanvas, type Canvas } from '@napi-rs/canvas';
import { changedBox, encodeGifAnimation, encodeGifStill, type GifFrameUpdate, type GifFrameUpdates } from '../src/render/gif';
import { compositeFrames, readGif } from './helpers/gif-reader';

const W = 120;
const H = 40;

/** A flat frame: background, a bar whose length is the frame number, and a marker that moves. */
function frame(index: number, options: { background?: string; alpha?: boolean } = {}): Canvas {
  const canvas = createCanvas(W, H);
  const ctx = canvas.getContext('2d');
  if (!options.alpha) {
    ctx.fillStyle = options.background ?? '#ffffff';
    ctx.fillRect(0, 0, W, H);
  }
  ctx.fillStyle = '#1c1b1a';
  ctx.fillRect(4, 4, 10 + index, 8);
  ctx.fillStyle = '#c2182b';
  ctx.fillRect(20 + (index % 7) * 10, 20, 6, 6);
  return canvas;
}

function rgba(canvas: Canvas): Uint8Array {
  return new Uint8Array(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data);
}

describe('encodeGifAnimation', () => {
  it('writes every frame with its delay, a loop, a full first frame and partial later frames', async () => {
    const drawn: number[] = [];
    const bytes = await encodeGifAnimation({
      frameCount: 12,
      drawFrame: (i) => {
        drawn.push(i);
        return frame(i);
      },
      delayMs: 1000,
      loop: true,
    });
    const gif = readGif(bytes);
    expect(drawn).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(gif.width).toBe(W);
    expect(gif.height).toBe(H);
    expect(gif.frames).toHaveLength(12);
    expect(gif.loopCount).toBe(0);
    expect(gif.frames.map((f) => f.delayMs)).toEqual(Array(12).fill(1000));
    expect(gif.frames[0]).toMatchObject({ left: 0, top: 0, width: W, height: H, hasLocalPalette: false });
    // One shared palette: no frame carries its own.
    expect(gif.frames.every((f) => !f.hasLocalPalette)).toBe(true);
    // Later frames are only the rectangle that changed.
    for (const f of gif.frames.slice(1)) expect(f.width * f.height).toBeLessThan(W * H / 2);
  });

  it('shows, after each frame, exactly the picture drawn for that second', async () => {
    const bytes = await encodeGifAnimation({ frameCount: 9, drawFrame: frame, delayMs: 1000, loop: true });
    const shown = compositeFrames(readGif(bytes));
    shown.forEach((pixels, i) => expect(Buffer.from(pixels).equals(Buffer.from(rgba(frame(i))))).toBe(true));
    // The comparison can fail: frame 3 is not frame 4.
    expect(Buffer.from(shown[3] as Uint8Array).equals(Buffer.from(rgba(frame(4))))).toBe(false);
  });

  it('still writes a frame for a second in which nothing changed', async () => {
    const bytes = await encodeGifAnimation({ frameCount: 3, drawFrame: () => frame(0), delayMs: 1000, loop: true });
    const gif = readGif(bytes);
    expect(gif.frames).toHaveLength(3);
    expect(gif.frames.slice(1).map((f) => f.width * f.height)).toEqual([1, 1]);
  });

  it('covers a differently coloured last frame with the shared palette, and plays once', async () => {
    const last = (): Canvas => frame(0, { background: '#2e7d32' });
    const bytes = await encodeGifAnimation({
      frameCount: 4,
      drawFrame: (i) => (i === 3 ? last() : frame(i)),
      delayMs: 1000,
      loop: false,
      paletteFrames: [3],
    });
    const gif = readGif(bytes);
    expect(gif.loopCount).toBeNull();
    expect(gif.frames).toHaveLength(4);
    const shown = compositeFrames(gif);
    expect(Buffer.from(shown[3] as Uint8Array).equals(Buffer.from(rgba(last())))).toBe(true);
    expect(Buffer.from(shown[0] as Uint8Array).equals(Buffer.from(rgba(frame(0))))).toBe(true);
  });

  it('writes whole frames with a transparent index when the pictures are not opaque', async () => {
    const bytes = await encodeGifAnimation({ frameCount: 3, drawFrame: (i) => frame(i, { alpha: true }), delayMs: 500, loop: true });
    const gif = readGif(bytes);
    expect(gif.frames).toHaveLength(3);
    for (const f of gif.frames) {
      expect(f).toMatchObject({ left: 0, top: 0, width: W, height: H, disposal: 2, delayMs: 500 });
      expect(f.transparentIndex).not.toBeNull();
    }
    const corner = compositeFrames(gif)[2] as Uint8Array;
    expect(corner[3]).toBe(0); // top-left pixel stays transparent
  });

  it('refuses an animation without frames', async () => {
    await expect(encodeGifAnimation({ frameCount: 0, drawFrame: frame, delayMs: 1000, loop: true })).rejects.toThrow(/at least one frame/);
  });
});

describe('encodeGifAnimation from updates (frames given as the rectangle their drawing touched)', () => {
  /** Where frame(i) can differ from frame(i - 1): the bar and the marker. */
  const TOUCHED = { left: 4, top: 4, width: 100, height: 24 };

  function updates(count: number, log: string[] = [], options: { last?: () => Canvas } = {}): GifFrameUpdates {
    const picture = (i: number): Canvas => (options.last && i === count - 1 ? options.last() : frame(i));
    const whole = (i: number): GifFrameUpdate => ({ left: 0, top: 0, width: W, height: H, pixels: rgba(picture(i)) });
    return {
      next(i) {
        log.push(`next ${i}`);
        if (i === 0 || (options.last && i === count - 1)) return whole(i);
        const { left, top, width, height } = TOUCHED;
        const pixels = new Uint8Array(frame(i).getContext('2d').getImageData(left, top, width, height).data);
        return { ...TOUCHED, pixels };
      },
      whole(i) {
        log.push(`whole ${i}`);
        return whole(i).pixels;
      },
    };
  }

  it('shows after each frame the picture of that second, each later frame inside the rectangle it was given', async () => {
    const log: string[] = [];
    const gif = readGif(await encodeGifAnimation({ frameCount: 9, updates: updates(9, log), delayMs: 1000, loop: true }));
    expect(log).toEqual(Array.from({ length: 9 }, (_, i) => `next ${i}`));
    expect(gif.frames).toHaveLength(9);
    expect(gif.frames[0]).toMatchObject({ left: 0, top: 0, width: W, height: H });
    for (const f of gif.frames.slice(1)) {
      expect(f.left).toBeGreaterThanOrEqual(TOUCHED.left);
      expect(f.top).toBeGreaterThanOrEqual(TOUCHED.top);
      expect(f.left + f.width).toBeLessThanOrEqual(TOUCHED.left + TOUCHED.width);
      expect(f.top + f.height).toBeLessThanOrEqual(TOUCHED.top + TOUCHED.height);
    }
    compositeFrames(gif).forEach((pixels, i) => expect(Buffer.from(pixels).equals(Buffer.from(rgba(frame(i))))).toBe(true));
  });

  it('is the same GIF as whole frames of the same pictures', async () => {
    const fromUpdates = await encodeGifAnimation({ frameCount: 9, updates: updates(9), delayMs: 1000, loop: true });
    const fromWhole = await encodeGifAnimation({ frameCount: 9, drawFrame: frame, delayMs: 1000, loop: true });
    expect(fromUpdates.equals(fromWhole)).toBe(true);
  });

  it('asks for a palette frame whole before frame 1, and ends on it', async () => {
    const log: string[] = [];
    const last = (): Canvas => frame(0, { background: '#2e7d32' });
    const gif = readGif(await encodeGifAnimation({ frameCount: 4, updates: updates(4, log, { last }), delayMs: 1000, loop: false, paletteFrames: [3] }));
    expect(log).toEqual(['next 0', 'whole 3', 'next 1', 'next 2', 'next 3']);
    expect(Buffer.from(compositeFrames(gif)[3] as Uint8Array).equals(Buffer.from(rgba(last())))).toBe(true);
  });

  it('writes a one-pixel frame for an empty rectangle, and refuses a rectangle outside the picture', async () => {
    const still = (bad: boolean): GifFrameUpdates => ({
      next: (i) =>
        i === 0
          ? { left: 0, top: 0, width: W, height: H, pixels: rgba(frame(0)) }
          : bad
            ? { left: W - 2, top: 0, width: 4, height: 1, pixels: new Uint8Array(16) }
            : { left: 0, top: 0, width: 0, height: 0, pixels: new Uint8Array(0) },
      whole: () => rgba(frame(0)),
    });
    const gif = readGif(await encodeGifAnimation({ frameCount: 3, updates: still(false), delayMs: 1000, loop: true }));
    expect(gif.frames.slice(1).map((f) => f.width * f.height)).toEqual([1, 1]);
    await expect(encodeGifAnimation({ frameCount: 2, updates: still(true), delayMs: 1000, loop: true })).rejects.toThrow(/frame 1 is 4×1 at \(118, 0\)/);
  });
});

describe('encodeGifStill', () => {
  it('is one full frame that does not loop', async () => {
    const gif = readGif(await encodeGifStill(frame(5)));
    expect(gif.frames).toHaveLength(1);
    expect(gif.loopCount).toBeNull();
    expect(Buffer.from(compositeFrames(gif)[0] as Uint8Array).equals(Buffer.from(rgba(frame(5))))).toBe(true);
  });
});

describe('changedBox', () => {
  const blank = (): Uint8Array => new Uint8Array(10 * 5 * 4).fill(255);

  it('is null for identical pixels', () => {
    expect(changedBox(blank(), 10, { left: 0, top: 0, width: 10, height: 5, pixels: blank() })).toBeNull();
  });

  it('is the tight inclusive rectangle around every changed pixel', () => {
    const after = blank();
    after[(1 * 10 + 7) * 4] = 0; // (7, 1)
    after[(3 * 10 + 2) * 4 + 2] = 0; // (2, 3)
    expect(changedBox(blank(), 10, { left: 0, top: 0, width: 10, height: 5, pixels: after })).toEqual({ left: 2, top: 1, right: 7, bottom: 3 });
  });

  it('compares a rectangle with what is under it, in the picture\'s coordinates', () => {
    const rect = new Uint8Array(4 * 2 * 4).fill(255); // 4×2 at (5, 2)
    expect(changedBox(blank(), 10, { left: 5, top: 2, width: 4, height: 2, pixels: rect })).toBeNull();
    rect[(1 * 4 + 2) * 4 + 1] = 0; // (2, 1) in the rectangle: (7, 3) in the picture
    expect(changedBox(blank(), 10, { left: 5, top: 2, width: 4, height: 2, pixels: rect })).toEqual({ left: 7, top: 3, right: 7, bottom: 3 });
  });
});
