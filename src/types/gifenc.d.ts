/**
 * Types for gifenc 1.0.3 (https://github.com/mattdesl/gifenc), which ships
 * none. Only what Opentime uses; see node_modules/gifenc/README.md.
 */
declare module 'gifenc' {
  /** RGB or RGBA entries, 0–255 each. */
  export type Palette = number[][];
  export type ColorFormat = 'rgb565' | 'rgb444' | 'rgba4444';

  export interface QuantizeOptions {
    format?: ColorFormat;
    oneBitAlpha?: boolean | number;
    clearAlpha?: boolean;
    clearAlphaThreshold?: number;
    clearAlphaColor?: number;
  }

  export function quantize(rgba: Uint8Array | Uint8ClampedArray, maxColors: number, options?: QuantizeOptions): Palette;
  export function applyPalette(rgba: Uint8Array | Uint8ClampedArray, palette: Palette, format?: ColorFormat): Uint8Array;
  export function nearestColorIndex(palette: Palette, pixel: number[]): number;

  export interface WriteFrameOptions {
    palette?: Palette | null;
    first?: boolean;
    transparent?: boolean;
    transparentIndex?: number;
    /** Milliseconds; stored in hundredths of a second. */
    delay?: number;
    /** -1 once, 0 forever, n times. */
    repeat?: number;
    colorDepth?: number;
    dispose?: number;
  }

  export interface GifStream {
    writeByte(byte: number): void;
    writeBytes(data: ArrayLike<number>, offset?: number, byteLength?: number): void;
  }

  export interface Encoder {
    writeFrame(index: Uint8Array, width: number, height: number, options?: WriteFrameOptions): void;
    finish(): void;
    bytes(): Uint8Array;
    /** A view on the encoder's own buffer, no copy: valid until the next write. */
    bytesView(): Uint8Array;
    reset(): void;
    writeHeader(): void;
    readonly stream: GifStream;
  }

  export function GIFEncoder(options?: { auto?: boolean; initialCapacity?: number }): Encoder;
}
