import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { BlockImage, BlockImageRenderer, ImageFormat } from '../render/block-image';
import { TRANSPARENT_PIXEL_GIF, TRANSPARENT_PIXEL_PNG } from '../render/encode';
import { imageResponseHeaders, isNotModified, strongEtag } from './image-cache-policy';

/** `<blockId>.png`, `<blockId>@2x.png`, `<blockId>.gif` (ids as the blocks config allows them). */
const FILE = /^([a-z0-9][a-z0-9-]{0,63})(@2x)?\.(png|gif)$/;

/**
 * GET /img/v1/blocks/:blockId.png?t=TOKEN (also `@2x.png`, `?scale=2`, `.gif`)
 * — the picture of a block for the HTML part of an email.
 *
 * Always 200 with image bytes of the asked format, never a redirect, never an
 * error page: Gmail's proxy caches what it gets, and an error would stay broken
 * for days. Bad tokens get the generic picture; unknown blocks and failures a
 * fallback picture (BlockImageRenderer decides and logs). A path that names no
 * block file at all still gets the generic panel as PNG. No CORS: this is a
 * plain image GET. Headers come from http/image-cache-policy.ts.
 */
export function imgRouter(renderer: BlockImageRenderer): Router {
  const router = Router();

  router.get('/img/v1/blocks/:file', async (req: Request, res: Response) => {
    const match = FILE.exec(String(req.params.file));
    const format: ImageFormat = match?.[3] === 'gif' ? 'gif' : 'png';
    const image = await renderer.render({
      blockId: match?.[1] ?? String(req.params.file).replace(/\.(png|gif)$/, ''),
      token: typeof req.query.t === 'string' ? req.query.t : undefined,
      format,
      scale: requestedScale(req.query.scale, match?.[2] === '@2x'),
      userAgent: req.get('user-agent'),
      remoteAddress: req.ip,
      log: req.log,
    });
    send(req, res, image);
  });

  // Anything else under /img/v1/ is still an image, never the JSON 404.
  router.get(/^\/img\/v1\//, async (req: Request, res: Response) => {
    send(req, res, await renderer.render({ blockId: '', token: undefined, format: 'png', log: req.log }));
  });

  // Last line of defence: an error escaping the handlers above becomes a transparent pixel, not JSON.
  const imageErrors: ErrorRequestHandler = (error: unknown, req, res, next) => {
    if (!req.path.startsWith('/img/v1/')) return next(error);
    req.log?.error({ err: error }, 'image route failed; answering a transparent pixel');
    if (res.headersSent) return;
    const gif = req.path.endsWith('.gif');
    const bytes = gif ? TRANSPARENT_PIXEL_GIF : TRANSPARENT_PIXEL_PNG;
    res
      .status(200)
      .set(imageResponseHeaders({ contentType: gif ? 'image/gif' : 'image/png', byteLength: bytes.length, etag: strongEtag(bytes), audience: 'degraded' }))
      .end(bytes);
  };
  router.use(imageErrors);
  return router;
}

/** `?scale=` wins when it is a number; else `@2x` asks for 2; else 1. The renderer clamps it. */
function requestedScale(query: unknown, at2x: boolean): number {
  const asked = typeof query === 'string' && query.trim() !== '' ? Number(query) : Number.NaN;
  if (Number.isFinite(asked)) return asked;
  return at2x ? 2 : 1;
}

function send(req: Request, res: Response, image: BlockImage): void {
  const headers = imageResponseHeaders({ contentType: image.contentType, byteLength: image.bytes.length, etag: image.etag, audience: image.audience });
  res.set(headers);
  res.set('X-Opentime-Outcome', image.outcome);
  if (image.audience !== 'degraded' && isNotModified(req.get('if-none-match'), image.etag)) {
    res.removeHeader('Content-Length');
    res.status(304).end();
    return;
  }
  res.status(200).end(image.bytes);
}
