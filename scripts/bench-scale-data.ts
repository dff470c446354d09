import path from 'node:path';
import { buildDemoDataset, DEMO_LOYALTY_TIERS, DEMO_SENDERS } from '../src/data/demo-data';
import type { Campaign, Subscriber } from '../src/data/model';
import { seedDemoDataIfEmpty } from '../src/data/seed';
import { openStorage } from '../src/storage/open-storage';
import type { Keyring } from '../src/tokens/keyring';
import { signSubscriberToken } from '../src/tokens/subscriber-token';

/**
 * The data of bench:scale: many subscribers whose pictures all differ (each
 * has its own first name, points and history, so no two personal renders
 * share a render-cache entry), and countdown campaigns with distinct
 * deadlines, so no two GIFs share a first frame. Deterministic for a given
 * count and `now`.
 */

export const BENCH_PUBLIC_URL = 'http://127.0.0.1';
export const SCALE_SENDER = DEMO_SENDERS[0] as string;

const SYLLABLES = ['ma', 'li', 'no', 'ra', 'te', 'ka', 'su', 'vi', 'lo', 'an', 'el', 'mi', 'da', 'ro', 'sa', 'ne', 'ju', 'ta', 'be', 'ko'];

/** A first name per index, all distinct: the index written in base 20, one syllable per digit ("Lima", "Nora", "Kasuvi"). */
function firstName(index: number): string {
  let n = index + SYLLABLES.length;
  let name = '';
  while (n > 0) {
    name = (SYLLABLES[n % SYLLABLES.length] as string) + name;
    n = Math.floor(n / SYLLABLES.length);
  }
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Locales the demo blocks are translated into, each with a matching zone and currency: the wave sees several renderings of shared blocks. */
const PROFILES = [
  { locale: 'en-US', timeZone: 'America/New_York', currency: 'USD', country: 'US', city: 'New York' },
  { locale: 'en-GB', timeZone: 'Europe/London', currency: 'GBP', country: 'GB', city: 'London' },
  { locale: 'de-DE', timeZone: 'Europe/Berlin', currency: 'EUR', country: 'DE', city: 'Berlin' },
  { locale: 'fr-FR', timeZone: 'Europe/Paris', currency: 'EUR', country: 'FR', city: 'Lyon' },
  { locale: 'es-ES', timeZone: 'Europe/Madrid', currency: 'EUR', country: 'ES', city: 'Sevilla' },
] as const;

export function scaleSubscriberId(index: number): string {
  return `scale-${index}`;
}

export function scaleSubscribers(count: number, now: Date): Subscriber[] {
  const productIds = buildDemoDataset({ baseUrl: BENCH_PUBLIC_URL, now }).products.map((product) => product.id);
  const pickProduct = (n: number): string => productIds[n % productIds.length] as string;
  const subscribers: Subscriber[] = [];
  for (let i = 0; i < count; i++) {
    const profile = PROFILES[i % PROFILES.length] as (typeof PROFILES)[number];
    // Spread over every tier, distinct per subscriber.
    const points = (i * 37) % 12_000;
    const tier = [...DEMO_LOYALTY_TIERS].reverse().find((candidate) => points >= candidate.minPoints)?.name ?? null;
    subscribers.push({
      id: scaleSubscriberId(i),
      firstName: firstName(i),
      ...profile,
      loyaltyPoints: points,
      loyaltyTier: tier,
      // Different histories, so the picks differ too and hit different products and categories.
      recentViews: [pickProduct(i * 7), pickProduct(i * 7 + 3), pickProduct(i * 11 + 5)],
      cart: [pickProduct(i * 13 + 1)],
      purchases: [pickProduct(i * 17 + 2)],
      updatedAt: new Date(now.getTime() - 3_600_000).toISOString(),
    });
  }
  return subscribers;
}

export function gifCampaignId(index: number): string {
  return `scale-gif-${index}`;
}

/**
 * Campaigns whose deadlines are all different (two days ahead plus 61 s per
 * index: different seconds and minutes), so every countdown's first frame is
 * a view of its own and its GIF is drawn fresh. More than a day left keeps
 * the block's "last day" variant out of it.
 */
export function gifCampaigns(count: number, now: Date): Campaign[] {
  const base = Math.floor(now.getTime() / 1000) * 1000 + 2 * 86_400_000;
  return Array.from({ length: count }, (_, i) => ({
    id: gifCampaignId(i),
    name: `Countdown ${i}`,
    endsAt: new Date(base + i * 61_000).toISOString(),
    allowedSenders: [SCALE_SENDER],
    markets: [],
    templates: ['flash-sale'],
    updatedAt: now.toISOString(),
  }));
}

/** A SQLite data directory with the demo data, `subscribers` scale subscribers and `gifCampaigns` countdown campaigns. */
export async function seedSqlite(dataDir: string, counts: { subscribers: number; gifCampaigns: number }, now: Date): Promise<void> {
  const storage = await openStorage({ databaseFile: path.join(dataDir, 'opentime.db'), freshnessMs: 0 });
  try {
    await seedDemoDataIfEmpty(storage, { baseUrl: BENCH_PUBLIC_URL, now });
    const subscribers = scaleSubscribers(counts.subscribers, now);
    for (let start = 0; start < subscribers.length; start += 5_000) await storage.ingestion.upsertSubscribers(subscribers.slice(start, start + 5_000));
    if (counts.gifCampaigns > 0) await storage.campaigns.upsertCampaigns(gifCampaigns(counts.gifCampaigns, now));
  } finally {
    await storage.close();
  }
}

/**
 * The scale subscribers written through the server's ingestion API, for a
 * database the bench cannot open itself (PostgreSQL): batches of the API's
 * largest size, each committed before the next is sent.
 */
export async function seedThroughApi(url: string, apiKey: string, count: number, now: Date): Promise<void> {
  const subscribers = scaleSubscribers(count, now);
  for (let start = 0; start < subscribers.length; start += 5_000) {
    const res = await fetch(`${url}/api/v1/subscribers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subscribers: subscribers.slice(start, start + 5_000) }),
    });
    if (!res.ok) throw new Error(`POST /api/v1/subscribers answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
    await res.arrayBuffer().catch(() => undefined);
  }
}

export function tokenFor(keyring: Keyring, subscriberId: string, campaignId: string): string {
  return signSubscriberToken(keyring, { subscriberId, campaignId }, { audience: 'opentime' });
}
