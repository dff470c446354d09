import { Router, type Request, type Response } from 'express';
import { demoProductPng } from '../render/demo-product-image';
import { HttpError } from './error-catalogue';
import { sendImage, strongEtag } from './cache-policy';

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

  return router;
}
