import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseImagePart } from '../blocks/slots';
import { parseImageLayout } from '../render/layout';
import { transparentPixel, type BlockImageRenderer, type ImageFormat } from '../render/block-image';
import { sendImage } from './cache-policy';
import { queryParams, singleValue } from './query';

/** `<blockId>.png`, `<blockId>@2x.png`, `<blockId>.gif` (ids as the blocks config allows them). */
const FILE = /^([a-z0-9][a-z0-9-]{0,63})(@2x)?\.(png|gif)$/;

/** Answers one image request; never rejects. `file` is the path after /img/v1/blocks/, null for any other /img/v1/ path. */
export type ImgBlockEndpoint = (req: IncomingMessage, res: ServerResponse, file: string | null) => Promise<void>;

/**
 * GET /img/v1/blocks/:blockId.png?t=TOKEN (also `@2x.png`, `?scale=2`, `.gif`,
 * `?slot=header|N` for one part of a recommendations picture, image-parts.ts, and
 * `?layout=narrow` for the phone picture, render/layout.ts; any other layout is the wide one)
 * — the picture of a block for the HTML part of an email.
 *
 * Always 200 with image bytes of the asked format, never a redirect, never an
 * error page: Gmail's proxy caches what it gets, and an error would stay broken
 * for days. Bad tokens get the generic picture; unknown blocks and failures a
 * fallback picture (BlockImageRenderer decides and logs). A path that names no
 * block file at all still gets the generic panel as PNG; an error escaping the
 * renderer, a transparent pixel. No CORS: this is a plain image GET. Headers
 * come from http/cache-policy.ts.
 */
export function imgBlockEndpoint(renderer: Pick<BlockImageRenderer, 'render' | 'cache'>, clientAddress: (req: IncomingMessage) => string | undefined): ImgBlockEndpoint {
  return async (req, res, file) => {
    const match = file === null ? null : FILE.exec(file);
    const format: ImageFormat = match?.[3] === 'gif' ? 'gif' : 'png';
    try {
      const query = queryParams(req.url ?? '');
      const image =
        file === null
          ? await renderer.render({ blockId: '', token: undefined, format: 'png', log: req.log })
          : await renderer.render({
              blockId: match?.[1] ?? file.replace(/\.(png|gif)$/, ''),
              token: singleValue(query, 't'),
              format,
              scale: requestedScale(singleValue(query, 'scale'), match?.[2] === '@2x'),
              part: parseImagePart(singleValue(query, 'slot')),
              layout: parseImageLayout(singleValue(query, 'layout')),
              userAgent: req.headers['user-agent'],
              remoteAddress: clientAddress(req),
              log: req.log,
            });
      sendImage(req, res, image, image.outcome);
    } catch (error) {
      // Last line of defence: an error escaping the renderer becomes a transparent pixel, not JSON.
      req.log.error({ err: error }, 'image route failed; answering a transparent pixel');
      sendTransparentPixel(req, res, format);
    }
  };
}

/** The answer of last resort: a 1×1 transparent image of the asked format. */
export function sendTransparentPixel(req: IncomingMessage, res: ServerResponse, format: ImageFormat): void {
  if (!res.headersSent) sendImage(req, res, { ...transparentPixel(format), audience: 'degraded' });
}

/** `?scale=` wins when it is a number; else `@2x` asks for 2; else 1. The renderer clamps it. */
function requestedScale(query: string | undefined, at2x: boolean): number {
  const asked = query !== undefined && query.trim() !== '' ? Number(query) : Number.NaN;
  if (Number.isFinite(asked)) return asked;
  return at2x ? 2 : 1;
}
