import cluster from 'node:cluster';
import { apiKeysFromConfig } from './api/api-keyring-from-config';
import type { ApiKeyring } from './api/api-keys';
import { loadBlocksConfig, type BlockCatalog } from './blocks/blocks-config';
import type { Config } from './config';
import { declareCampaigns, loadCampaignsFile } from './data/campaigns-file';
import { refreshDemoCampaignDeadlines, refreshDemoPictureUrls, seedDemoDataIfEmpty } from './data/seed';
import type { Logger } from './log';
import { openCatalogueFromConfig } from './sources/pull-source-from-config';
import { checkFeedHosts } from './sources/feed-blocks';
import type { PullSource } from './sources/pull-source';
import { placesFromConfig } from './open/location-from-config';
import type { OpenPlaces } from './open/location-at-open';
import type { WeatherSource } from './sources/weather-source';
import { SenderAllowlist } from './http/sender-allowlist';
import { openStorage, type OpenStorageOptions } from './storage/open-storage';
import type { CatalogueReader } from './storage/ports/catalogue-reader';
import type { Storage } from './storage/storage';
import { keyringFromConfig } from './tokens/keyring-from-config';
import type { Keyring } from './tokens/keyring';

/** What the server (and the CLI commands that need data) run on, built from one config. */
export interface Services {
  config: Config;
  /** The database (openStorage): what the API, reports, retention and the recording write and read. */
  storage: Storage;
  blocks: BlockCatalog;
  keyring: Keyring;
  globalAllowlist: SenderAllowlist;
  /** True when this start seeded an empty database with the demo dataset. */
  seeded: boolean;
  /** What opens read: `storage.catalogue`, with live stock/price from the pull source laid over it when one is configured. */
  openCatalogue: CatalogueReader;
  /** Set when OPENTIME_PULL_URL is; the owner closes it on shutdown. */
  pullSource?: PullSource;
  /** Where opens are placed and the weather there (OPENTIME_GEOIP_DB, OPENTIME_WEATHER_URL). */
  places: OpenPlaces;
  /** Set when OPENTIME_WEATHER_URL is; the owner closes it on shutdown. */
  weatherSource?: WeatherSource;
  /** Ingestion API keys (OPENTIME_API_KEYS). */
  apiKeys: ApiKeyring;
  /** Demo mode's all-scopes API key, printed at start-up. */
  demoApiKey?: string;
}

/** Opens the database (seeding the demo data on first start in demo mode), loads blocks and keys. */
export async function openServices(config: Config, now: Date = new Date(), logger?: Logger, storageOptions: Pick<OpenStorageOptions, 'changes'> = {}): Promise<Services> {
  // Config problems surface before the database file is created.
  const blocks = loadBlocksConfig(config.blocksFile);
  // A feed block whose host could never be fetched stops start-up (README "Blocks", feed).
  checkFeedHosts(blocks, config.blocksFile, { allowedHosts: config.imageHosts, allowPrivateAddresses: config.imageAllowPrivate });
  const declaredCampaigns = config.campaignsFile ? loadCampaignsFile(config.campaignsFile, now) : [];
  const keyring = keyringFromConfig(config);
  const globalAllowlist = SenderAllowlist.parse(config.allowedSenders, 'OPENTIME_ALLOWED_SENDERS');
  const { keys: apiKeys, demoKey: demoApiKey } = apiKeysFromConfig(config);
  // The GeoIP database is read now: a missing or unreadable file stops start-up naming OPENTIME_GEOIP_DB.
  const { places, weatherSource } = placesFromConfig(config, logger);
  const storage = await openStorage(config, storageOptions);
  let seeded = false;
  if (config.demo) {
    seeded = await seedDemoDataIfEmpty(storage, { baseUrl: config.publicUrl, now });
    // A demo started weeks after its first start still has one live and one past campaign.
    await refreshDemoCampaignDeadlines(storage, now);
    // A demo restarted on another port or public URL still finds its pictures.
    await refreshDemoPictureUrls(storage, config.publicUrl);
  }
  // After the demo's own campaigns, so a demo campaign declared in the file is the file's. Once per machine: the
  // single process, or the cluster's primary before it forks the workers (scale-out/cluster-primary.ts).
  if (config.campaignsFile && !cluster.isWorker) await declareCampaigns(storage.campaigns, config.campaignsFile, declaredCampaigns, now, logger);
  const { openCatalogue, pullSource } = openCatalogueFromConfig(config, storage.catalogue, logger);
  return { config, storage, blocks, keyring, globalAllowlist, seeded, openCatalogue, pullSource, places, weatherSource, apiKeys, demoApiKey };
}
