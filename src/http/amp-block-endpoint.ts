import type { PollResultsReader } from '../kinds/kind';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockCatalog } from '../blocks/blocks-config';
import { liveBlocks, type LiveBlocks } from '../blocks/live-blocks';
import { jsonFor, logFallback, resolveBlock } from '../blocks/resolve-block';
import type { ResolveServices } from '../blocks/lock-at-first-open';
import type { OpenPlaces } from '../open/location-at-open';
import { loadSubject, openFor } from '../open/open-subject';
import type { BlockLocks } from '../recording/block-locks';
import type { FirstOpens } from '../recording/first-opens';
import type { ObserveRender } from '../recording/render-observer';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import { TokenError } from '../tokens/errors';
import type { VerifyToken } from '../tokens/token-verifier';
import { assertSenderAllowed } from './amp-cors';
import { HttpError } from './error-catalogue';
import { queryParams, singleValue } from './query';
import { sendJson } from './send-json';

export interface AmpBlockEndpointDeps {
  store: CatalogueReader;
  /** The blocks served (read once per request), or a fixed catalog. */
  blocks: BlockCatalog | LiveBlocks;
  verifyToken: VerifyToken;
  now: () => Date;
  /** Records each render in the metrics and the render log. */
  observeRender?: ObserveRender;
  /** Frozen views of lock-at-first-open blocks. */
  locks?: BlockLocks;
  /** First human opens, the clock of evergreen countdowns (recording/first-opens.ts). */
  firstOpens?: FirstOpens;
  /** Poll results for poll-results blocks. */
  polls?: PollResultsReader;
  /** Where opens were read and the weather there; default: the subscriber's profile, no weather. */
  places?: OpenPlaces;
}

/** Answers one amp-list request; rejects with an HttpError for the caller to send. */
export type AmpBlockEndpoint = (req: IncomingMessage, res: ServerResponse, blockId: string) => Promise<void>;

/**
 * GET /amp/v1/blocks/:blockId?t=TOKEN — the amp-list endpoint, behind
 * ampCors(). Answers `{"items":[…]}` computed at this moment; an unknown
 * block, a bad token or a token for an unknown campaign rejects (404/401/404,
 * sent with the CORS grant by the caller); a data or rule failure answers 200 with the block's fallback items.
 */
export function ampBlockEndpoint(deps: AmpBlockEndpointDeps): AmpBlockEndpoint {
  const blocks = liveBlocks(deps.blocks);
  const services: ResolveServices = { locks: deps.locks, polls: deps.polls, firstOpens: deps.firstOpens };
  return async (req, res, blockId) => {
    const block = blocks.current.get(blockId);
    if (!block) throw new HttpError('block_not_found', `No block "${blockId.slice(0, 64)}".`);

    const now = deps.now();
    const token = singleValue(queryParams(req.url ?? ''), 't');
    if (token === undefined) throw new HttpError('token_missing');
    let claims;
    try {
      claims = deps.verifyToken(token, now);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      // The reason goes to the log only: answered, it told anyone which key ids exist and which
      // tokens are merely expired. Every refusal is the same 401 (README, "Subscriber tokens").
      req.log.warn({ block: block.config.id, reason: error.reason }, 'subscriber token refused');
      throw new HttpError('token_invalid', undefined, { cause: error });
    }

    const subject = await loadSubject(claims, deps.store);
    // A token for a campaign nobody created (or since renamed): 404 with the grant, so amp-list shows its fallback.
    if (!subject.campaign) throw new HttpError('campaign_not_found', `No campaign "${claims.campaignId.slice(0, 128)}".`);
    assertSenderAllowed(res, subject.campaign.allowedSenders);
    // The XHR comes from the mail provider's servers, so its address is never looked up: the profile's location (open/location.ts).
    const place = await deps.places?.of({ client: 'amp', address: undefined, subscriber: subject.subscriber }, block);
    const open = openFor(block, subject, 'amp', now, place);
    const resolution = await resolveBlock(block, open, deps.store, services);
    deps.observeRender?.({ surface: 'json', block, client: 'amp', subscriberId: claims.subscriberId, campaignId: claims.campaignId, resolution, at: now });
    logFallback(req.log, block, resolution, 'block fallback served');
    sendJson(res, 200, jsonFor(block, resolution, open.locale));
  };
}
