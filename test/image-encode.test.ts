import { createCanvas } from '@napi-rs/canvas';
import { PNG } from 'pngjs';
import { encodeCanvasPng, encodePng, TRANSPARENT_PIXEL_GIF, TRANSPARENT_PIXEL_PNG } from '../src/render/encode';
import { readGif } from './helpers/gif-reader';

const colourType = (png: Buffer): number => png[25] as number;

function noise(width: number, height: number, opaque = true): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  let seed = 42;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = (i & 3) === 3 && opaque ? 255 : seed >>> 24;
  }
  return data;
}

describe('encodePng', () => {
  it('writes opaque pictures as RGB that decode to the same pixels', async () => {
    const canvas = createCanvas(60, 30);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#f5f3ef';
    ctx.fillRect(0, 0, 60, 30);
    ctx.fillStyle = '#c2182b';
    ctx.fillRect(10, 5, 20, 10);
    const png = await encodeCanvasPng(canvas);
    expect(colourType(png)).toBe(2);
    const decoded = PNG.sync.read(png);
    expect([decoded.width, decoded.height]).toEqual([60, 30]);
    const source = Buffer.from(ctx.getImageData(0, 0, 60, 30).data);
    expect(decoded.data.equals(source)).toBe(true);
  });

  it('keeps the alpha channel when a pixel is not opaque', async () => {
    const data = noise(16, 8, false);
    const png = await encodePng({ data, width: 16, height: 8 });
    expect(colourType(png)).toBe(6);
    expect(PNG.sync.read(png).data.equals(Buffer.from(data))).toBe(true);
  });

  it('falls back to a 256-colour palette when truecolour is over the byte budget', async () => {
    const data = noise(64, 64);
    const truecolour = await encodePng({ data, width: 64, height: 64 }, { budgetBytes: Number.MAX_SAFE_INTEGER });
    const indexed = await encodePng({ data, width: 64, height: 64 }, { budgetBytes: 100 });
    expect(colourType(truecolour)).toBe(2);
    expect(colourType(indexed)).toBe(3);
    expect(indexed.length).toBeLessThan(truecolour.length);
    const decoded = PNG.sync.read(indexed);
    expect([decoded.width, decoded.height]).toEqual([64, 64]);
  });

  it('refuses pixel data of the wrong size', async () => {
    await expect(encodePng({ data: new Uint8Array(10), width: 4, height: 4 })).rejects.toThrow(/4×4×4 bytes/);
  });
});

describe('last-resort pixels', () => {
  it('are a valid transparent 1×1 PNG and GIF', () => {
    const png = PNG.sync.read(TRANSPARENT_PIXEL_PNG);
    expect([png.width, png.height, png.data[3]]).toEqual([1, 1, 0]);
    const gif = readGif(TRANSPARENT_PIXEL_GIF);
    expect([gif.width, gif.height, gif.frames.length]).toEqual([1, 1, 1]);
    expect(gif.frames[0]?.transparentIndex).toBe(gif.frames[0]?.indices[0]);
  });
});
