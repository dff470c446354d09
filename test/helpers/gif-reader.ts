/**
 * A small GIF decoder for tests (gifenc has none, and we add no packages):
 * parses the blocks, LZW-decodes every frame, and composites frames the way a
 * mail client shows them, so tests can compare what a viewer sees at second n.
 * Interlaced images are not supported (our encoder never writes them).
 */

export interface GifFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  /** From the Graphic Control Extension, in milliseconds. */
  delayMs: number;
  disposal: number;
  transparentIndex: number | null;
  hasLocalPalette: boolean;
  palette: number[][];
  indices: Uint8Array;
}

export interface DecodedGif {
  width: number;
  height: number;
  /** NETSCAPE2.0 loop count (0 = forever), or null when the GIF plays once. */
  loopCount: number | null;
  globalPalette: number[][] | null;
  frames: GifFrame[];
}

export function readGif(bytes: Uint8Array): DecodedGif {
  let at = 0;
  const byte = (): number => {
    if (at >= bytes.length) throw new Error('GIF ended early');
    return bytes[at++] as number;
  };
  const u16 = (): number => byte() | (byte() << 8);
  const palette = (entries: number): number[][] => Array.from({ length: entries }, () => [byte(), byte(), byte()]);
  const subBlocks = (): Uint8Array => {
    const parts: number[] = [];
    for (let size = byte(); size !== 0; size = byte()) for (let i = 0; i < size; i++) parts.push(byte());
    return Uint8Array.from(parts);
  };

  const signature = String.fromCharCode(...bytes.subarray(0, 6));
  if (signature !== 'GIF89a' && signature !== 'GIF87a') throw new Error(`not a GIF: ${JSON.stringify(signature)}`);
  at = 6;
  const width = u16();
  const height = u16();
  const packed = byte();
  byte(); // background colour index
  byte(); // pixel aspect ratio
  const globalPalette = packed & 0x80 ? palette(2 << (packed & 7)) : null;

  let loopCount: number | null = null;
  let control = { delayMs: 0, disposal: 0, transparentIndex: null as number | null };
  const frames: GifFrame[] = [];
  for (;;) {
    const introducer = byte();
    if (introducer === 0x3b) break;
    if (introducer === 0x21) {
      const label = byte();
      if (label === 0xf9) {
        const data = subBlocks();
        const flags = data[0] as number;
        control = {
          delayMs: ((data[1] as number) | ((data[2] as number) << 8)) * 10,
          disposal: (flags >> 2) & 7,
          transparentIndex: flags & 1 ? (data[3] as number) : null,
        };
      } else if (label === 0xff) {
        const size = byte();
        const id = String.fromCharCode(...bytes.subarray(at, at + size));
        at += size;
        const data = subBlocks();
        if (id === 'NETSCAPE2.0' && data[0] === 1) loopCount = (data[1] as number) | ((data[2] as number) << 8);
      } else {
        subBlocks();
      }
      continue;
    }
    if (introducer !== 0x2c) throw new Error(`unexpected block 0x${introducer.toString(16)} at byte ${at - 1}`);
    const left = u16();
    const top = u16();
    const frameWidth = u16();
    const frameHeight = u16();
    const flags = byte();
    if (flags & 0x40) throw new Error('interlaced frames are not supported by this test reader');
    const local = flags & 0x80 ? palette(2 << (flags & 7)) : null;
    const minCodeSize = byte();
    const indices = lzwDecode(minCodeSize, subBlocks(), frameWidth * frameHeight);
    const framePalette = local ?? globalPalette;
    if (!framePalette) throw new Error('frame without a palette');
    frames.push({ left, top, width: frameWidth, height: frameHeight, ...control, hasLocalPalette: local !== null, palette: framePalette, indices });
    control = { delayMs: 0, disposal: 0, transparentIndex: null };
  }
  return { width, height, loopCount, globalPalette, frames };
}

function lzwDecode(minCodeSize: number, data: Uint8Array, pixelCount: number): Uint8Array {
  const out = new Uint8Array(pixelCount);
  let written = 0;
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  let codeSize = minCodeSize + 1;
  let table: number[][] = [];
  const reset = (): void => {
    table = [];
    for (let i = 0; i < clear; i++) table[i] = [i];
    table[clear] = [];
    table[end] = [];
    codeSize = minCodeSize + 1;
  };
  reset();
  let previous: number[] | null = null;
  let bitBuffer = 0;
  let bitCount = 0;
  let position = 0;
  for (;;) {
    while (bitCount < codeSize) {
      if (position >= data.length) return out;
      bitBuffer |= (data[position++] as number) << bitCount;
      bitCount += 8;
    }
    const code = bitBuffer & ((1 << codeSize) - 1);
    bitBuffer >>>= codeSize;
    bitCount -= codeSize;
    if (code === clear) {
      reset();
      previous = null;
      continue;
    }
    if (code === end) return out;
    let entry: number[];
    if (code < table.length) entry = table[code] as number[];
    else if (code === table.length && previous) entry = [...previous, previous[0] as number];
    else throw new Error(`bad LZW code ${code}`);
    for (const value of entry) if (written < pixelCount) out[written++] = value;
    if (previous && table.length < 4096) {
      table.push([...previous, entry[0] as number]);
      if (table.length === 1 << codeSize && codeSize < 12) codeSize++;
    }
    previous = entry;
  }
}

/** What a viewer shows after each frame: RGBA of the whole logical screen, one array per frame. */
export function compositeFrames(gif: DecodedGif): Uint8Array[] {
  const screen = new Uint8Array(gif.width * gif.height * 4);
  const shown: Uint8Array[] = [];
  let previous: GifFrame | null = null;
  for (const frame of gif.frames) {
    if (previous?.disposal === 2) {
      for (let y = previous.top; y < previous.top + previous.height; y++) screen.fill(0, (y * gif.width + previous.left) * 4, (y * gif.width + previous.left + previous.width) * 4);
    }
    for (let y = 0; y < frame.height; y++) {
      for (let x = 0; x < frame.width; x++) {
        const index = frame.indices[y * frame.width + x] as number;
        if (index === frame.transparentIndex) continue;
        const colour = frame.palette[index] ?? [0, 0, 0];
        const to = ((frame.top + y) * gif.width + frame.left + x) * 4;
        screen[to] = colour[0] as number;
        screen[to + 1] = colour[1] as number;
        screen[to + 2] = colour[2] as number;
        screen[to + 3] = 255;
      }
    }
    shown.push(screen.slice());
    previous = frame;
  }
  return shown;
}
