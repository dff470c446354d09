import type { OrderLine, OrderRecord, Touch } from './ports/orders';

/**
 * An `orders` row as both adapters read it (the columns are the same on
 * SQLite and PostgreSQL, docs/ARCHITECTURE.md, storage); only `lines` differs:
 * JSON text on SQLite, parsed jsonb on PostgreSQL, so each adapter adds it.
 */
export interface OrderColumns {
  order_id: string;
  subscriber_id: string | null;
  anonymous_id: string | null;
  occurred_at: number;
  received_at: number;
  currency: string;
  total_minor: number;
  click_campaign_id: string | null;
  click_block_id: string | null;
  click_variant: string | null;
  click_at: number | null;
  open_campaign_id: string | null;
  open_block_id: string | null;
  open_variant: string | null;
  open_at: number | null;
}

/** A touch stored in an order's four columns; none when the campaign, block or time is missing. */
function storedTouch(campaignId: string | null, blockId: string | null, variant: string | null, at: number | null): Touch | null {
  return campaignId !== null && blockId !== null && at !== null ? { campaignId, blockId, variant, at } : null;
}

/** The port's record of a row, with its lines as the adapter decoded them. */
export function orderOfRow(row: OrderColumns, lines: OrderLine[]): OrderRecord {
  return {
    orderId: row.order_id,
    subscriberId: row.subscriber_id,
    anonymousId: row.anonymous_id,
    occurredAt: row.occurred_at,
    receivedAt: row.received_at,
    currency: row.currency,
    totalMinor: row.total_minor,
    lines,
    click: storedTouch(row.click_campaign_id, row.click_block_id, row.click_variant, row.click_at),
    open: storedTouch(row.open_campaign_id, row.open_block_id, row.open_variant, row.open_at),
  };
}
