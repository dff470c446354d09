import type { Storage } from '../storage/storage';
import { buildDemoCampaigns, buildDemoDataset } from './demo-data';

export interface SeedOptions {
  baseUrl: string;
  now: Date;
}

/**
 * Loads the demo dataset into an empty database. "Empty" means no products:
 * a database that already has a catalogue belongs to someone, and the demo must
 * never mix into or overwrite real data. Returns whether it seeded.
 */
export async function seedDemoDataIfEmpty(storage: Pick<Storage, 'ingestion' | 'campaigns'>, options: SeedOptions): Promise<boolean> {
  if ((await storage.ingestion.countProducts()) > 0) return false;
  const demo = buildDemoDataset(options);
  await storage.ingestion.upsertProducts(demo.products);
  await storage.ingestion.upsertSubscribers(demo.subscribers);
  await storage.campaigns.upsertCampaigns(demo.campaigns);
  return true;
}

/**
 * Moves the two demo campaigns' deadlines relative to `now`, so a demo database
 * created weeks ago still shows one live countdown and one expired campaign.
 * Only the deadline changes: a name or sender list edited since seeding is kept.
 */
export async function refreshDemoCampaignDeadlines(storage: Pick<Storage, 'catalogue' | 'campaigns'>, now: Date): Promise<void> {
  const fresh = buildDemoCampaigns(now);
  const merged = await Promise.all(
    fresh.map(async (campaign) => {
      const existing = await storage.catalogue.getCampaign(campaign.id);
      return existing ? { ...existing, endsAt: campaign.endsAt } : campaign;
    }),
  );
  await storage.campaigns.upsertCampaigns(merged);
}
