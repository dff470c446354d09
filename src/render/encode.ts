import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Canvas } from '@napi-rs/canvas';
import { quantizeOffThread, type Quantized } from './palette-worker';

/**
 * PNG encoding for email images, measured against the alternatives on this
 * repo's 2-core box (Skia: an earlier 600×300 product card; deflate rows: the
 * demo hero-product card, 600×300, deflate time on one pool thread):
 *
 * | encoder                                   | main thread | libuv pool | bytes   |
 * |-------------------------------------------|-------------|------------|---------|
 * | Skia `canvas.encode('png')` (async)       | 0 ms        | ~8 ms      | 18 KB   |
 * | RGB rows, filter None, deflate 3          | ~1 ms       | 0.9 ms     | 20.6 KB |
 * | here: RGB rows, filter None, deflate 6    | ~1 ms       | 3.2 ms     | 18.1 KB |
 * | RGB rows, filter None, deflate 9          | ~1 ms       | 16 ms      | 16.4 KB |
 *
 * Skia offers no compression setting, and 8 ms of a pool thread per cold render
 * is most of the 10 ms budget. Cards are flat colour and text, where filter
 * None is smallest (Up, and per-row adaptive filters, came out 10–20% larger on
 * the demo cards); deflate 6 is 13–17% smaller than 3 for about 2 ms more of a
 * pool thread, and a cached image is sent many times, so the bytes win (9 would
 * save another 8% for 10–15 ms). The deflate runs on the libuv pool
 * (`zlib.deflate` is asynchronous), so only the row copy touches the event
 * loop. When a card holds photographs and the truecolour file goes over the
 * byte budget (60 KB for a 600×300 card, i.e. one byte per three pixels), it
 * is re-encoded with a 256-colour palette, typically a third of the size; the
 * smaller of the two is kept. The quantization runs on a worker
 * thread (render/palette-worker.ts).
 */

const deflate = promisify(zlib.deflate);

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOR_TYPE = { rgb: 2, palette: 3, rgba: 6 } as const;

export interface PngEncodeOptions {
  /** Above this many bytes the palette encoding is tried. Default: width × height / 3. */
  budgetBytes?: number;
  /** zlib level for truecolour rows (default 6; see the table above). */
  level?: number;
  /** Palette quantization (default: on the palette worker thread). */
  quantize?: (pixels: Uint8Array, opaque: boolean) => Quantized | Promise<Quantized>;
}

export interface RgbaImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** Unpremultiplied RGBA pixels of a canvas. */
export function canvasPixels(canvas: Canvas): { data: Uint8Array; width: number; height: number } {
  const { width, height } = canvas;
  return { data: wholeBytes(canvas.getContext('2d').getImageData(0, 0, width, height).data), width, height };
}

/**
 * A Uint8Array spanning its whole buffer, from this realm. gifenc checks
 * `instanceof Uint8Array` (false for arrays made in another realm, such as a
 * test sandbox) and reads `new Uint32Array(data.buffer)`, i.e. the whole buffer
 * whatever the view's offset: both hold for what this returns.
 */
export function wholeBytes(data: Uint8Array | Uint8ClampedArray): Uint8Array {
  const spansBuffer = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  return spansBuffer ? new Uint8Array(data.buffer) : new Uint8Array(data);
}

/** The canvas as a PNG, compressed off the event loop. */
export function encodeCanvasPng(canvas: Canvas, options: PngEncodeOptions = {}): Promise<Buffer> {
  return encodePng(canvasPixels(canvas), options);
}

export async function encodePng(image: RgbaImage, options: PngEncodeOptions = {}): Promise<Buffer> {
  const { width, height, data } = image;
  if (!(width > 0 && height > 0) || data.length !== width * height * 4) {
    throw new Error(`encodePng: expected ${width}×${height}×4 bytes of RGBA; received ${data.length}.`);
  }
  const opaque = isOpaque(data);
  const truecolor = await encodeTruecolor(image, opaque, options.level ?? 6);
  const budget = options.budgetBytes ?? Math.ceil((width * height) / 3);
  if (truecolor.length <= budget) return truecolor;
  const indexed = await encodeIndexed(image, opaque, options.quantize ?? quantizeOffThread);
  return indexed.length < truecolor.length ? indexed : truecolor;
}

/** Every pixel fully opaque (the alpha channel can be left out). */
export function isOpaque(data: Uint8Array | Uint8ClampedArray): boolean {
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return false;
  return true;
}

async function encodeTruecolor(image: RgbaImage, opaque: boolean, level: number): Promise<Buffer> {
  const { width, height, data } = image;
  const channels = opaque ? 3 : 4;
  const stride = width * channels + 1;
  const raw = Buffer.allocUnsafe(stride * height);
  let out = 0;
  let pixel = 0;
  for (let y = 0; y < height; y++) {
    raw[out++] = 0; // filter type None
    if (opaque) {
      for (let x = 0; x < width; x++, pixel += 4) {
        raw[out++] = data[pixel] as number;
        raw[out++] = data[pixel + 1] as number;
        raw[out++] = data[pixel + 2] as number;
      }
    } else {
      raw.set(data.subarray(pixel, pixel + width * 4), out);
      out += width * 4;
      pixel += width * 4;
    }
  }
  const idat = await deflate(raw, { level });
  return assemble(width, height, opaque ? COLOR_TYPE.rgb : COLOR_TYPE.rgba, idat);
}

async function encodeIndexed(image: RgbaImage, opaque: boolean, quantize: NonNullable<PngEncodeOptions['quantize']>): Promise<Buffer> {
  const { width, height, data } = image;
  // A copy goes to the worker (its buffer is transferred); the caller keeps `data`.
  const { palette, indices } = await quantize(new Uint8Array(data), opaque);
  const raw = Buffer.allocUnsafe((width + 1) * height);
  for (let y = 0, out = 0; y < height; y++) {
    raw[out++] = 0;
    raw.set(indices.subarray(y * width, (y + 1) * width), out);
    out += width;
  }
  const plte = Buffer.alloc(palette.length * 3);
  palette.forEach((color, i) => plte.set([color[0] ?? 0, color[1] ?? 0, color[2] ?? 0], i * 3));
  const trns = opaque ? undefined : Buffer.from(palette.map((color) => color[3] ?? 255));
  const idat = await deflate(raw, { level: 6 });
  return assemble(width, height, COLOR_TYPE.palette, idat, plte, trns);
}

function assemble(width: number, height: number, colorType: number, idat: Buffer, plte?: Buffer, trns?: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colorType;
  // compression, filter method, interlace: all 0
  const chunks = [SIGNATURE, chunk('IHDR', ihdr)];
  if (plte) chunks.push(chunk('PLTE', plte));
  if (trns) chunks.push(chunk('tRNS', trns));
  chunks.push(chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(chunks);
}

function chunk(type: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length + 12);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  body.copy(out, 8);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/**
 * The last-resort images, used only when even drawing fails: a transparent
 * pixel, so the email shows its layout rather than a broken-image icon.
 */
export const TRANSPARENT_PIXEL_PNG: Buffer = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAACklEQVR4AWMAAQAABQABNtCI3QAAAABJRU5ErkJggg==',
  'base64',
);
export const TRANSPARENT_PIXEL_GIF: Buffer = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
