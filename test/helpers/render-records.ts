import type { ClickRecord, RenderRecord } from '../../src/storage/ports/render-log';
import { FIXED_NOW } from './app-fixture';

/**
 * What the render log stores for an image open of the flash sale's picks at
 * FIXED_NOW, in `variant` (the experiment arm; 'holdout' is served as the
 * holdout), for report and console tests to write directly. `options`
 * changes any field.
 */
export function renderRecord(subscriberId: string, variant: string | null, options: Partial<RenderRecord> = {}): RenderRecord {
  return {
    renderedAt: FIXED_NOW.getTime(),
    campaignId: 'flash-sale',
    blockId: 'picks',
    subscriberId,
    surface: 'image',
    client: 'direct',
    prefetch: false,
    variant,
    outcome: variant === 'holdout' ? 'holdout' : 'view',
    locked: false,
    itemIds: [],
    ...options,
  };
}

/** A click on slot 0 of the flash sale's picks a minute after FIXED_NOW. */
export function clickRecord(subscriberId: string, variant: string | null, options: Partial<ClickRecord> = {}): ClickRecord {
  return { clickedAt: FIXED_NOW.getTime() + 60_000, campaignId: 'flash-sale', blockId: 'picks', subscriberId, slot: 0, variant, url: 'https://shop.example/p', ...options };
}
