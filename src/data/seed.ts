import type { Storage } from '../storage/storage';
import { buildDemoCampaigns, buildDemoDataset, DEMO_CAMPAIGN_UPDATED_AT, demoPictureUrl } from './demo-data';

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
 * Moves the demo campaigns' deadlines relative to `now`, so a demo database
 * created weeks ago still shows one live countdown and one expired campaign,
 * and creates a demo campaign that is missing. Only the deadline changes: a
 * name or sender list edited since seeding is kept, and a campaign written
 * since seeding (a later `updatedAt`: the API, `opentime campaign`, the
 * campaigns file) keeps its own deadline too.
 */
export async function refreshDemoCampaignDeadlines(storage: Pick<Storage, 'catalogue' | 'campaigns'>, now: Date): Promise<void> {
  const fresh = buildDemoCampaigns(now);
  const merged = await Promise.all(
    fresh.map(async (campaign) => {
      const existing = await storage.catalogue.getCampaign(campaign.id);
      if (!existing) return campaign;
      if (existing.updatedAt !== DEMO_CAMPAIGN_UPDATED_AT) return undefined;
      // A demo database seeded before campaigns had markets and templates gets the demo's.
      const markets = existing.markets.length > 0 ? existing.markets : campaign.markets;
      const templates = existing.templates.length > 0 ? existing.templates : campaign.templates;
      return { ...existing, endsAt: campaign.endsAt, markets, templates };
    }),
  );
  await storage.campaigns.upsertCampaigns(merged.filter((campaign) => campaign !== undefined));
}

/** A demo picture's URL under any origin: `…/demo/products/<product id>.png`. */
const DEMO_PICTURE_PATH = /^https?:\/\/[^/]+(?:\/.*)?\/demo\/products\/([^/]+)\.png$/;

/**
 * Points the demo products' pictures at this server's current public URL. The
 * seed wrote them under the public URL of the first start; a restart on
 * another port or behind another public URL would otherwise fetch (and fail
 * to find) every picture at the old address and draw placeholders. Only a
 * product whose picture is still its own demo picture is rewritten: one given
 * another picture since seeding keeps it.
 */
export async function refreshDemoPictureUrls(storage: Pick<Storage, 'ingestion'> & { catalogue: Pick<Storage['catalogue'], 'getProducts'> }, baseUrl: string): Promise<number> {
  const demoIds = buildDemoDataset({ baseUrl, now: new Date(0) }).products.map((product) => product.id);
  const stored = await storage.catalogue.getProducts(demoIds);
  const moved = stored.flatMap((product) => {
    const current = demoPictureUrl(baseUrl, product.id);
    const match = DEMO_PICTURE_PATH.exec(product.image);
    return match && match[1] === product.id && product.image !== current ? [{ ...product, image: current }] : [];
  });
  if (moved.length > 0) await storage.ingestion.upsertProducts(moved);
  return moved.length;
}
