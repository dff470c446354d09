import type { Image } from '@napi-rs/canvas';
import type { DrawLog } from './draw-log';

/** What every drawing gets besides the view and the theme. */
export interface DrawEnv {
  /** Decoded product images by URL; null or absent draws the placeholder. */
  images: ReadonlyMap<string, Image | null>;
  log?: DrawLog;
}
