import type { PollResultsReader } from '../kinds/kind';
import { Router, type Request, type Response } from 'express';
import type { BlockCatalog } from '../blocks/blocks-config';
import { liveBlocks, type LiveBlocks } from '../blocks/live-blocks';
import { isRedirectableUrl, MAX_SLOT } from '../blocks/slots';
import { armFor } from '../experiments/assignment';
import type { Metrics } from '../metrics/metrics';
import type { BlockLocks } from '../recording/block-locks';
import type { ImpressionLog } from '../recording/impression-log';
import type { RenderLog } from '../recording/render-log';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { Impression } from '../storage/ports/impressions';
import type { VerifyToken } from '../tokens/token-verifier';
import { impressionAtClick } from './click-resolution';
import { cacheControl } from './cache-policy';

export interface ClickRouterDeps {
  /** The blocks served (read once per click), or a fixed catalog. */
  blocks: BlockCatalog | LiveBlocks;
  verifyToken: VerifyToken;
  impressionLog: ImpressionLog;
  now: () => Date;
  /** Resolves the block at a click that has no image render on record (click-resolution.ts). */
  store: CatalogueReader;
  /** Frozen views of lock-at-first-open blocks, for that resolution. */
  locks?: BlockLocks;
  /**
   * Where a click on an unknown block goes (a block removed from the config
   * after the email was sent, a mistyped template). Default: the origin of the
   * first configured block's defaultUrl, i.e. the shop's home page.
   */
  siteUrl?: string;
  /** Poll results, for a click on a poll-results block without a render on record. */
  polls?: PollResultsReader;
  /** Where clicks with a valid token are recorded for reports; none: not recorded. */
  renderLog?: RenderLog;
  metrics?: Metrics;
}

const SLOT = /^(0|[1-9][0-9]?)$/;

/**
 * GET /c/v1/blocks/:blockId/:slot?t=TOKEN — the link behind slot `slot` of a
 * block's picture in the HTML part (and the text part's links). 302 to the URL
 * of what this subscriber was shown in that slot at their latest image render
 * (see recording/impression-log.ts and blocks/slots.ts), so a click never lands on
 * another product than the picture showed. With no render on record (the text
 * part, images off) the block is resolved at the click as its picture would
 * have been drawn, and that is recorded as the impression, so the next click
 * on another slot agrees with this one (click-resolution.ts). To the block's
 * defaultUrl when the slot is out of range, the token fails verification, or
 * the lookup fails.
 *
 * A click must never dead-end: an unknown block redirects to the site URL.
 * Never an open redirect: every target comes from our own catalogue (recorded
 * at render) or block config, and must be an absolute http(s) URL.
 * This is for `<a href>`, not XHR, so a redirect is right here.
 */
export function clickRouter(deps: ClickRouterDeps): Router {
  const router = Router();
  const blocks = liveBlocks(deps.blocks);
  // Without a configured site URL, the first block of the config served now says it (a reload may change it).
  const siteUrl = (): string => deps.siteUrl ?? siteUrlOf(blocks.current);

  router.get('/c/v1/blocks/:blockId/:slot', async (req: Request, res: Response) => {
    const block = blocks.current.get(String(req.params.blockId));
    if (!block) {
      req.log.warn({ block: String(req.params.blockId).slice(0, 64) }, 'click on an unknown block; redirecting to the site');
      redirect(res, siteUrl());
      return;
    }
    const fallback = block.config.defaultUrl;
    const slotText = String(req.params.slot);
    const slot = SLOT.test(slotText) ? Number(slotText) : -1;
    if (slot < 0 || slot > MAX_SLOT) {
      redirect(res, fallback);
      return;
    }
    const now = deps.now();
    let claims;
    try {
      claims = deps.verifyToken(typeof req.query.t === 'string' ? req.query.t : undefined, now);
    } catch (error) {
      req.log.info({ block: block.config.id, reason: (error as { reason?: string }).reason ?? 'error' }, 'click token refused; default URL');
      redirect(res, fallback);
      return;
    }
    let target: unknown;
    try {
      if (!(await deps.store.getCampaign(claims.campaignId))) {
        // Like a refused token: the JSON answers 404 campaign_not_found, the image the generic picture.
        req.log.info({ block: block.config.id, campaign: claims.campaignId.slice(0, 128) }, 'click token names an unknown campaign; default URL');
        redirect(res, fallback);
        return;
      }
      let impression: Impression | undefined = await deps.impressionLog.latest(claims.subscriberId, claims.campaignId, block.config.id);
      if (!impression) {
        impression = await impressionAtClick(block, claims, now, { store: deps.store, locks: deps.locks, polls: deps.polls });
        deps.impressionLog.record(impression);
        req.log.info({ block: block.config.id, slots: impression.urls.length }, 'click without an image render; block resolved at the click');
      }
      target = impression.urls[slot];
    } catch (error) {
      req.log.error({ block: block.config.id, err: error }, 'impression lookup or click-time resolution failed; default URL');
    }
    const url = isRedirectableUrl(target) ? target : fallback;
    // The click behind the report's CTR, with the subscriber's experiment variant (the same hash as at render).
    deps.metrics?.countClick(block.config.id);
    deps.renderLog?.click({
      clickedAt: now.getTime(),
      campaignId: claims.campaignId,
      blockId: block.config.id,
      subscriberId: claims.subscriberId,
      slot,
      variant: armFor(block, claims.subscriberId)?.name ?? null,
      url,
    });
    redirect(res, url);
  });

  // A mangled click link (no slot, extra segments) still lands somewhere useful.
  router.get(/^\/c\/v1\//, (req: Request, res: Response) => {
    const block = blocks.current.get(req.path.split('/')[4] ?? '');
    redirect(res, block ? block.config.defaultUrl : siteUrl());
  });

  return router;
}

/** The shop's home page, from the first block's default URL. */
export function siteUrlOf(blocks: BlockCatalog): string {
  const first = blocks.values().next().value;
  return first ? `${new URL(first.config.defaultUrl).origin}/` : 'about:blank';
}

function redirect(res: Response, url: string): void {
  // The target depends on the latest render: never cache the redirect itself.
  res.set('Cache-Control', cacheControl('private'));
  res.set('Referrer-Policy', 'no-referrer');
  res.redirect(302, url);
}
