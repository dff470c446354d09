import type { Config } from '../config';
import { ConfigError } from '../config';
import { loadOrCreateDemoKeys } from './demo-keys';
import { Keyring, parseSigningKeys } from './keyring';

/**
 * The server and the CLI build their keyring here from the same config, so a
 * token minted by `opentime token` verifies on the server. Without configured
 * keys, demo mode generates them once in the data directory.
 */
export function keyringFromConfig(config: Pick<Config, 'signingKeys' | 'signingKid' | 'dataDir' | 'demo'>): Keyring {
  try {
    if (config.signingKeys) {
      const keys = parseSigningKeys(config.signingKeys);
      const activeKid = config.signingKid ?? (keys[keys.length - 1] as { kid: string }).kid;
      return new Keyring({ keys, activeKid });
    }
    if (!config.demo) {
      throw new Error('OPENTIME_SIGNING_KEYS is required when OPENTIME_DEMO=false. Expected "kid:secret[,kid:secret…]" with base64 secrets of at least 32 bytes.');
    }
    return new Keyring(loadOrCreateDemoKeys(config.dataDir));
  } catch (error) {
    throw new ConfigError(`Signing keys: ${(error as Error).message}`);
  }
}
