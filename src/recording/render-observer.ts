import type { PreparedBlock } from '../blocks/prepared-block';
import type { Resolution } from '../blocks/resolve-block';
import type { Metrics } from '../metrics/metrics';
import { isHumanOpen } from '../open/client-detection';
import type { ClientClass } from '../open/open';
import { itemIdsOf } from './item-ids';
import type { RenderLog } from './render-log';
import type { RenderSurface } from '../storage/ports/render-log';

/** One render, as both routes report it once the view (or fallback) is decided. */
export interface RenderEvent {
  surface: RenderSurface;
  block: PreparedBlock;
  client: ClientClass;
  /** From the verified token; null for a generic render (bad token): counted, not logged. */
  subscriberId: string | null;
  campaignId: string | null;
  resolution: Resolution;
  at: Date;
}

export type ObserveRender = (event: RenderEvent) => void;

/**
 * The one place a render becomes a metric and a render-log row, so the JSON
 * and the image routes record exactly the same things. Never throws and
 * never waits: it runs on the open's path.
 */
export function createRenderObserver(deps: { renderLog?: RenderLog; metrics?: Metrics; onError?: (error: unknown) => void }): ObserveRender {
  return (event) => {
    try {
      const { block, resolution } = event;
      const blockId = block.config.id;
      deps.metrics?.countRender(blockId, block.kind.name, event.surface, event.client);
      if (resolution.outcome === 'fallback') deps.metrics?.countFallback(blockId, event.surface, resolution.reason);
      if (!deps.renderLog || !event.subscriberId || !event.campaignId) return;
      deps.renderLog.render({
        renderedAt: event.at.getTime(),
        campaignId: event.campaignId,
        blockId,
        subscriberId: event.subscriberId,
        surface: event.surface,
        client: event.client,
        prefetch: !isHumanOpen(event.client),
        variant: resolution.experimentVariant ?? null,
        outcome: resolution.outcome === 'view' ? 'view' : resolution.reason,
        locked: resolution.outcome === 'view' && resolution.locked === true,
        itemIds: resolution.outcome === 'view' ? itemIdsOf(resolution.view) : [],
      });
    } catch (error) {
      deps.onError?.(error);
    }
  };
}
