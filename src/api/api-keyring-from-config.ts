import { ConfigError, type Config } from '../config';
import { ApiKeyring, loadOrCreateDemoApiKey, parseApiKeyRecords, type ApiKeyRecord } from './api-keys';

export interface ConfiguredApiKeys {
  keys: ApiKeyring;
  /** Demo mode's all-scopes key, in the clear, to print at start-up. */
  demoKey?: string;
}

/**
 * The ingestion API's keys: those configured in OPENTIME_API_KEYS (hashes
 * only) plus, in demo mode, the all-scopes demo key kept in the data directory.
 */
export function apiKeysFromConfig(config: Pick<Config, 'apiKeys' | 'demo' | 'dataDir'>): ConfiguredApiKeys {
  let records: ApiKeyRecord[];
  try {
    records = config.apiKeys ? parseApiKeyRecords(config.apiKeys) : [];
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (!config.demo) return { keys: new ApiKeyring(records) };
  let demo: ReturnType<typeof loadOrCreateDemoApiKey>;
  try {
    demo = loadOrCreateDemoApiKey(config.dataDir);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (records.some((record) => record.name === demo.record.name)) {
    throw new ConfigError(`OPENTIME_API_KEYS: the name "${demo.record.name}" is reserved for the demo key; rename that entry.`);
  }
  return { keys: new ApiKeyring([...records, demo.record]), demoKey: demo.key };
}
