import { Router, type Request, type Response } from 'express';
import type { ApiKeyring } from '../api/api-keys';
import { parseImagePart } from '../blocks/slots';
import type { ImageFormat } from '../email/opentime-urls';
import { previewEmail, type EmailPreviewDeps, type PreviewImageUrl } from '../preview/email-preview';
import type { PreviewService, PreviewSubject } from '../preview/preview-service';
import { previewQuery, previewTargetFrom, type PreviewTarget } from '../preview/preview-target';
import { requireApiKey, requireScope } from './api-auth';
import { cacheControl } from './cache-policy';
import { HttpError } from './error-catalogue';
import { sendJson } from './send-json';

export interface PreviewRouterDeps {
  service: PreviewService;
  email: Omit<EmailPreviewDeps, 'service'>;
  keys: ApiKeyring;
  now: () => Date;
}

/** `<blockId>`, `<blockId>.png` or `<blockId>.gif` (ids as the blocks config allows them). */
const BLOCK_FILE = /^([a-z0-9][a-z0-9-]{0,63})(?:\.(png|gif))?$/;
const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The preview API (README "Preview"), scope `console`: what a block or a
 * whole email shows a subscriber at a moment in a client, resolved like an
 * open and recorded nowhere. The console's preview page calls the same
 * service functions.
 */
export function previewRouter(deps: PreviewRouterDeps): Router {
  const router = Router();
  const base = '/api/v1/preview/campaigns/:campaignId';
  router.use('/api/v1/preview', (_req, res, next) => {
    res.setHeader('Cache-Control', cacheControl('operational'));
    next();
  });
  router.use('/api/v1/preview', requireApiKey(deps.keys), requireScope('console'));

  router.get(`${base}/blocks/:file`, async (req: Request, res: Response) => {
    const file = BLOCK_FILE.exec(String(req.params.file));
    if (!file) throw new HttpError('block_not_found', `No block "${String(req.params.file).slice(0, 64)}". Expected <blockId>, <blockId>.png or <blockId>.gif.`);
    if (file[2] !== undefined) return sendPreviewImage(deps, req, res, String(req.params.campaignId), String(req.params.file));
    const target = targetOf(req, deps.now());
    const subject = await deps.service.subjectOf(target);
    const preview = await deps.service.block(subject, deps.service.blockOf(file[1] as string));
    sendJson(res, 200, { ...targetJson(subject), ...preview, imageUrl: apiImageUrl(target)(preview.blockId, preview.imageFormat, undefined) });
  });

  router.get(`${base}/email`, async (req: Request, res: Response) => {
    const target = targetOf(req, deps.now());
    const template = single(req, 'template');
    if (template !== undefined && !TEMPLATE_NAME.test(template)) throw new HttpError('query_invalid', 'template: expected a template name such as flash-sale (amp-templates/flash-sale.amp.html).');
    const subject = await deps.service.subjectOf(target);
    const email = await previewEmail({ ...deps.email, service: deps.service }, subject, template, apiImageUrl(target));
    sendJson(res, 200, { ...targetJson(subject), ...email });
  });

  return router;
}

/**
 * A block's preview picture, `<blockId>.png|gif?subscriber=&at=&client=[&slot=][&scale=][&layout=narrow]`:
 * answered by the API's endpoint and by the console's (which signs in with a cookie, as an img must).
 */
export async function sendPreviewImage(deps: Pick<PreviewRouterDeps, 'service' | 'now'>, req: Request, res: Response, campaignId: string, fileName: string): Promise<void> {
  const file = BLOCK_FILE.exec(fileName);
  const format = file?.[2] as ImageFormat | undefined;
  if (!file || format === undefined) throw new HttpError('block_not_found', `No block picture "${fileName.slice(0, 64)}". Expected <blockId>.png or <blockId>.gif.`);
  const part = parseImagePart(single(req, 'slot'));
  if (part === null) throw new HttpError('query_invalid', 'slot: expected header or a slot number (0–99).');
  const scale = single(req, 'scale');
  if (scale !== undefined && scale !== '1' && scale !== '2') throw new HttpError('query_invalid', 'scale: expected 1 or 2.');
  // An API says what it expected; the image endpoint itself answers any other layout with the wide picture.
  const layout = single(req, 'layout');
  if (layout !== undefined && layout !== 'wide' && layout !== 'narrow') throw new HttpError('query_invalid', 'layout: expected wide or narrow.');
  const target = previewTargetFrom(campaignId, req.query as Record<string, unknown>, deps.now());
  const subject = await deps.service.subjectOf(target);
  const block = deps.service.blockOf(file[1] as string);
  const image = await deps.service.image(subject, block, format, { part, scale: scale === undefined ? 1 : Number(scale), layout: layout ?? 'wide', log: req.log });
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('Content-Type', image.contentType);
  res.setHeader('X-Opentime-Outcome', image.outcome);
  res.setHeader('Content-Length', image.bytes.length);
  res.end(image.bytes);
}

function targetOf(req: Request, now: Date): PreviewTarget {
  return previewTargetFrom(String(req.params.campaignId), req.query as Record<string, unknown>, now);
}

function single(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new HttpError('query_invalid', `${name}: expected one value.`);
  return value;
}

/** Who, when and how, as the answer restates them: `at` is the moment resolved (now, when none was asked). */
function targetJson(subject: PreviewSubject): object {
  const { target, subscriber } = subject;
  return {
    campaignId: target.campaignId,
    subscriberId: target.subscriberId,
    at: target.at.toISOString(),
    client: target.client,
    humanOpen: subject.humanOpen,
    locale: subscriber.locale,
    timeZone: subscriber.timeZone,
  };
}

/** The preview image endpoint of this API for a target (a path on this server). */
export function apiImageUrl(target: PreviewTarget): PreviewImageUrl {
  return (blockId, format, part) =>
    `/api/v1/preview/campaigns/${encodeURIComponent(target.campaignId)}/blocks/${blockId}.${format}?${previewQuery(target)}${part === undefined ? '' : `&slot=${part}`}`;
}
