import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Keyring, type KeyringConfig, type SigningKey } from './keyring';

export const DEMO_KEYS_FILE = 'signing-keys.json';

const EXPECTED_SHAPE = '{"activeKid": "<kid>", "keys": [{"kid": "<kid>", "secret": "<base64url, 32+ bytes>"}]}';

/**
 * Keys for running without configured ones. They live in the data directory
 * so the CLI that mints tokens and the server that verifies them agree.
 */
export function loadOrCreateDemoKeys(dataDir: string): KeyringConfig {
  const file = path.join(dataDir, DEMO_KEYS_FILE);
  const existing = readKeysFile(file);
  if (existing) return existing;

  // The data directory holds keys and subscribers' data: this user only (0700).
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const kid = `demo-${randomBytes(4).toString('hex')}`;
  const config: KeyringConfig = { keys: [{ kid, secret: randomBytes(32).toString('base64url') }], activeKid: kid };
  return publish(file, config);
}

/**
 * Writes to a temp file, then hard-links it into place. Unlike rename, a link
 * never replaces an existing file, so when the CLI and the server create keys
 * at the same moment exactly one set wins and both processes end up using it.
 */
function publish(file: string, config: KeyringConfig): KeyringConfig {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeDurably(temp, `${JSON.stringify(config, null, 2)}\n`);
    try {
      fs.linkSync(temp, file);
      return config;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') {
        // Some file systems (certain container mounts) refuse hard links; rename is still atomic there, only not exclusive.
        fs.renameSync(temp, file);
        return config;
      }
      // Another process published first: use its keys so both agree.
      const winner = readKeysFile(file);
      if (!winner) throw error;
      return winner;
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** fsync before publishing, so a crash cannot leave an empty keys file behind the final name. */
function writeDurably(file: string, text: string): void {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function readKeysFile(file: string): KeyringConfig | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new Error(`Could not read signing keys from ${file}: ${(error as Error).message}`, { cause: error });
  }
  const fail = (problem: string, cause?: unknown): never => {
    throw new Error(
      `Invalid signing keys file ${file}: ${problem} ` +
        'Fix it, or delete it to generate new demo keys (tokens already sent will stop verifying).',
      { cause },
    );
  };
  const failShape = (problem: string, cause?: unknown): never => fail(`${problem}. Expected ${EXPECTED_SHAPE}.`, cause);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return failShape('not valid JSON', error);
  }
  if (!isRecord(data)) return failShape('not a JSON object');
  const { activeKid, keys } = data;
  if (typeof activeKid !== 'string') return failShape('"activeKid" is missing or not a string');
  if (!Array.isArray(keys)) return failShape('"keys" is missing or not an array');
  const signingKeys = keys.map((key: unknown, index): SigningKey => {
    if (!isRecord(key) || typeof key.kid !== 'string' || typeof key.secret !== 'string') {
      return failShape(`keys[${index}] is not an object with string "kid" and "secret"`);
    }
    return { kid: key.kid, secret: key.secret };
  });
  const config: KeyringConfig = { keys: signingKeys, activeKid };
  try {
    void new Keyring(config);
  } catch (error) {
    return fail((error as Error).message, error);
  }
  return config;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorCode(error: unknown): unknown {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
