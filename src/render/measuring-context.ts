import { createCanvas } from '@napi-rs/canvas';
import { registerBundledFonts } from './fonts';
import type { Context } from './text';

let measuring: Context | undefined;

/**
 * A context to measure text on before a canvas exists: a narrow picture's height depends on how
 * many lines its strings wrap to (NarrowDrawing.height, render/layout.ts), and the canvas is made
 * that tall. A file of its own, free of the kinds, so a kind's drawing can import it without a cycle.
 */
export function measuringContext(): Context {
  registerBundledFonts();
  return (measuring ??= createCanvas(1, 1).getContext('2d'));
}
