import type { BlockCatalog } from '../blocks/blocks-config';
import { fallbackItemOf } from '../blocks/fallback-item';
import { liveBlocks, type LiveBlocks } from '../blocks/live-blocks';
import type { PreparedBlock } from '../blocks/prepared-block';
import { jsonFor, resolveBlock, type Resolution } from '../blocks/resolve-block';
import { slotUrls, type ImagePart } from '../blocks/slots';
import type { Campaign, Subscriber } from '../data/model';
import { imageFormatFor, type ImageFormat } from '../email/opentime-urls';
import { HttpError } from '../http/error-catalogue';
import type { AmpListPayload, PollResultsReader } from '../kinds/kind';
import type { ShownView } from '../kinds/kind-of-view';
import type { Logger } from '../log';
import { isHumanOpen } from '../open/client-detection';
import { loadSubject, openFor, type OpenSubject } from '../open/open-subject';
import type { BlockLocks } from '../recording/block-locks';
import type { FirstOpens } from '../recording/first-opens';
import type { BlockImage, BlockImageRenderer } from '../render/block-image';
import type { ImageLayout } from '../render/layout';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { PreviewTarget } from './preview-target';

/**
 * Previews (README "Preview"): one block, or a whole email, resolved for a
 * subscriber at a moment as a given client would open it, through the same
 * path as an open (open/open-subject.ts, blocks/resolve-block.ts, the image
 * renderer), with nothing recorded: no render log row, no impression, and no
 * lock claimed. A lock already in force is served, as an open would, and said.
 */
export interface PreviewDeps {
  /** What opens read (the pull-source overlay when configured). */
  store: CatalogueReader;
  blocks: BlockCatalog | LiveBlocks;
  renderer: Pick<BlockImageRenderer, 'preview'>;
  /** Frozen views of lock-at-first-open blocks: read, never claimed. */
  locks?: BlockLocks;
  /** First human opens (evergreen countdowns): read, never recorded. */
  firstOpens?: FirstOpens;
  /** Poll results for poll-results blocks, the reader the open routes use (app.ts): read, never written. */
  polls?: PollResultsReader;
}

/** One block of a preview: what its JSON answers and how its picture is asked for. */
export interface BlockPreview {
  blockId: string;
  kind: string;
  description: string | null;
  /** `view`: the live (or locked) view; `fallback`: the block's fallback items, `reason` says why. */
  outcome: 'view' | 'fallback';
  reason: 'held_back' | 'data_missing' | 'error' | 'holdout' | null;
  detail: string | null;
  /** The message variant (`variants:` rule) that applied, or null. */
  variant: string | null;
  /** The experiment arm ("holdout" for the holdout), or null. */
  experimentVariant: string | null;
  /** Served from a lock-at-first-open frozen view the subscriber already has. */
  locked: boolean;
  /** The block locks at a first human open (lockAtFirstOpen); a preview never does. */
  locksAtFirstOpen: boolean;
  /** The amp-list answer, `{"items":[…]}`, exactly as the open would get it. */
  json: AmpListPayload;
  /** What the picture is asked for as in the HTML part: a GIF for a kind that animates, else a PNG. */
  imageFormat: ImageFormat;
  /** Where a click on each slot of the picture would go (the click route's targets), in slot order. */
  slotUrls: string[];
}

/** The subject of a preview: the records an open for this subscriber and campaign would read. */
export interface PreviewSubject {
  target: PreviewTarget;
  subject: OpenSubject;
  campaign: Campaign;
  subscriber: Subscriber;
  /** An Apple Mail Privacy Protection prefetch is not a human open: it never locks and reports count it apart. */
  humanOpen: boolean;
}

export interface PreviewService {
  /** The campaign and subscriber, read as an open reads them; 404 campaign_not_found / subscriber_not_found. */
  subjectOf(target: PreviewTarget): Promise<PreviewSubject>;
  /** The block, by id; 404 block_not_found. */
  blockOf(blockId: string): PreparedBlock;
  block(subject: PreviewSubject, block: PreparedBlock): Promise<BlockPreview>;
  /** The block's picture from the same view (a running countdown as a ticking GIF when asked for one). */
  image(subject: PreviewSubject, block: PreparedBlock, format: ImageFormat, options?: { part?: ImagePart; scale?: number; layout?: ImageLayout; log?: Logger }): Promise<BlockImage>;
}

export function createPreviewService(deps: PreviewDeps): PreviewService {
  const blocks = liveBlocks(deps.blocks);
  return {
    async subjectOf(target) {
      // The claims a token for this subscriber and campaign would carry, valid at the moment previewed; no token is made.
      const claims = { subscriberId: target.subscriberId, campaignId: target.campaignId, issuedAt: target.at, expiresAt: target.at };
      const subject = await loadSubject(claims, deps.store);
      const { campaign, subscriber } = subject;
      if (!campaign) throw new HttpError('campaign_not_found', `No campaign "${target.campaignId.slice(0, 128)}".`);
      if (!subscriber) throw new HttpError('subscriber_not_found', `No subscriber "${target.subscriberId.slice(0, 128)}".`);
      return { target, subject, campaign, subscriber, humanOpen: isHumanOpen(target.client) };
    },

    blockOf(blockId) {
      const block = blocks.current.get(blockId);
      if (!block) throw new HttpError('block_not_found', `No block "${blockId.slice(0, 64)}".`);
      return block;
    },

    async block(preview, block) {
      const open = openFor(block, preview.subject, preview.target.client, preview.target.at);
      // Locks are read, never claimed: a preview must not freeze what the subscriber will see.
      const resolution = await resolveBlock(block, open, deps.store, { locks: deps.locks, claimLocks: false, polls: deps.polls, firstOpens: deps.firstOpens });
      return blockPreview(block, resolution, open.locale);
    },

    image(preview, block, format, options = {}) {
      return deps.renderer.preview({
        block,
        subject: preview.subject,
        client: preview.target.client,
        at: preview.target.at,
        format,
        ...(options.part !== undefined && { part: options.part }),
        ...(options.scale !== undefined && { scale: options.scale }),
        ...(options.layout !== undefined && { layout: options.layout }),
        ...(options.log && { log: options.log }),
      });
    },
  };
}

function blockPreview(block: PreparedBlock, resolution: Resolution, locale: string): BlockPreview {
  const shown: ShownView = resolution.outcome === 'view' ? resolution.view : fallbackItemOf(block, locale);
  return {
    blockId: block.config.id,
    kind: block.kind.name,
    description: block.config.description ?? null,
    outcome: resolution.outcome,
    reason: resolution.outcome === 'fallback' ? resolution.reason : null,
    detail: resolution.outcome === 'fallback' ? resolution.detail : null,
    variant: resolution.outcome === 'view' ? resolution.variant : null,
    experimentVariant: resolution.experimentVariant ?? null,
    locked: resolution.outcome === 'view' && resolution.locked === true,
    locksAtFirstOpen: Boolean(block.lock),
    json: jsonFor(block, resolution, locale),
    imageFormat: imageFormatFor(block.kind),
    slotUrls: slotUrls(shown),
  };
}
