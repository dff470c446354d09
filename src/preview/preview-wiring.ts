import type { BlockCatalog } from '../blocks/blocks-config';
import type { LiveBlocks } from '../blocks/live-blocks';
import type { FormsCatalog } from '../forms/forms-config';
import type { PollResultsReader } from '../kinds/kind';
import type { BlockLocks } from '../recording/block-locks';
import type { FirstOpens } from '../recording/first-opens';
import type { BlockImageRenderer } from '../render/block-image';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { Keyring } from '../tokens/keyring';
import { signSubscriberToken } from '../tokens/subscriber-token';
import { engineSourceFromEnv, loadEngine } from '../validate/engine';
import type { EmailPreviewDeps } from './email-preview';
import { createPreviewService, type PreviewService } from './preview-service';

export interface PreviewWiringDeps {
  store: CatalogueReader;
  blocks: BlockCatalog | LiveBlocks;
  renderer: Pick<BlockImageRenderer, 'preview'>;
  locks?: BlockLocks;
  /** First human opens, read for evergreen countdowns (never recorded by a preview). */
  firstOpens?: FirstOpens;
  /** The poll-results blocks' reader, as the open routes get it (the renderer has its own copy for the pictures). */
  polls?: PollResultsReader;
  /** The forms config, for the validator's form checks in the email preview (as `opentime validate` runs them). */
  forms?: FormsCatalog;
  /** To measure the subscriber's token as sent (never handed out). */
  keyring: Keyring;
  tokenAudience: string;
  publicUrl: string;
  templatesDir?: string;
}

/** The preview service and what the email preview needs, built the same way for the API (app.ts) and the console page. */
export function previewWiring(deps: PreviewWiringDeps): { service: PreviewService; email: EmailPreviewDeps } {
  const service = createPreviewService({ store: deps.store, blocks: deps.blocks, renderer: deps.renderer, locks: deps.locks, firstOpens: deps.firstOpens, polls: deps.polls });
  return {
    service,
    email: {
      service,
      blocks: deps.blocks,
      ...(deps.forms !== undefined && { forms: deps.forms }),
      publicUrl: deps.publicUrl,
      ...(deps.templatesDir !== undefined && { templatesDir: deps.templatesDir }),
      tokenLength: ({ target }) =>
        signSubscriberToken(deps.keyring, { subscriberId: target.subscriberId, campaignId: target.campaignId }, { audience: deps.tokenAudience, now: target.at }).length,
      // The engine `opentime validate` uses: pinned unless OPENTIME_AMP_VALIDATOR says cdn; loaded once per process.
      engine: () => loadEngine(engineSourceFromEnv()),
    },
  };
}
