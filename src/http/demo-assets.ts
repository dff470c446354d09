import { Router, type Request, type Response } from 'express';
import { demoProductPng } from '../render/demo-product-image';
import { demoFeedXml } from '../sources/feed-demo';
import { HttpError } from './error-catalogue';
import { cacheControl, sendImage, strongEtag } from './cache-policy';

const FILE = /^([a-z0-9][a-z0-9-]{0,99})\.png$/;

/**
 * GET /demo/products/:id.png — the demo catalogue's pictures (see
 * render/demo-product-image.ts), so the demo dataset has real image URLs that
 * work offline: in the AMP part (amp-img) and in mail clients. The image
 * renderer itself draws them in-process rather than calling this route.
 */
export function demoAssetsRouter(): Router {
  const router = Router();
  const etags = new Map<string, string>();

  router.get('/demo/products/:file', async (req: Request, res: Response) => {
    const match = FILE.exec(String(req.params.file));
    const png = match ? await demoProductPng(match[1] as string) : null;
    if (!png) throw new HttpError('route_not_found', 'No demo product picture by that name.');
    const id = match?.[1] as string;
    let etag = etags.get(id);
    if (!etag) {
      etag = strongEtag(png);
      etags.set(id, etag);
    }
    sendImage(req, res, { bytes: png, contentType: 'image/png', etag, audience: 'static' });
  });

  // The demo's journal feed (sources/feed-demo.ts), for a look at what the feed block reads; the block itself reads it in-process.
  router.get('/demo/feeds/:file', (req: Request, res: Response) => {
    const match = /^([a-z0-9-]{1,60})\.xml$/.exec(String(req.params.file));
    const xml = match ? demoFeedXml(match[1] as string, `${req.protocol}://${req.get('host') ?? 'localhost'}`, new Date()) : undefined;
    if (xml === undefined) throw new HttpError('route_not_found', 'No demo feed by that name.');
    res.type('application/rss+xml').set('Cache-Control', cacheControl('generic')).send(xml);
  });

  return router;
}
