import type { Campaign } from '../../data/model';

/**
 * Where campaign records are written: by demo seeding and operators' tools,
 * never by the ingestion API. Opens read them through the catalogue reader
 * (`getCampaign`), with the subscriber and the products.
 */
export interface Campaigns {
  /** Whole records, written as given, in one transaction; resolves once committed. */
  upsertCampaigns(campaigns: readonly Campaign[]): Promise<void>;
}
