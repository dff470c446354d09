import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatApiKeyRecord, generateApiKey } from '../src/api/api-keys';
import { Keyring, parseSigningKeys } from '../src/tokens/keyring';
import { verifySubscriberToken } from '../src/tokens/subscriber-token';
import { freePort, ROOT } from './helpers/processes';

const SERVER = path.join(ROOT, 'dist', 'src', 'main.js');
const signingKeys = `prod-2026:${Buffer.alloc(32, 5).toString('base64')}`;
const productionKeyring = (() => {
  const keys = parseSigningKeys(signingKeys);
  return new Keyring({ keys, activeKid: 'prod-2026' });
})();
const crm = generateApiKey('crm', ['products:read']);

/** Every JWT-shaped string in a text (tokens are three base64url parts, the first a JSON header). */
const jwtsIn = (text: string): string[] => text.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g) ?? [];
const verifiesUnderProductionKey = (token: string): boolean => {
  try {
    verifySubscriberToken(productionKeyring, token, { audience: 'opentime' });
    return true;
  } catch {
    return false;
  }
};

/**
 * A first start with production keys on an empty data directory: demo mode
 * would seed data, add an all-scopes API key and print tokens signed with the
 * production key into the log stream. Configured keys turn it off.
 */
describe('first start with production keys on an empty data directory', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-prod-keys-')), 'data');
  });
  afterEach(() => fs.rmSync(path.dirname(dataDir), { recursive: true, force: true }));

  const productionEnv = (port: number): NodeJS.ProcessEnv => ({
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    OPENTIME_DATA_DIR: dataDir,
    OPENTIME_SIGNING_KEYS: signingKeys,
    OPENTIME_API_KEYS: formatApiKeyRecord(crm.record),
    OPENTIME_PUBLIC_URL: 'https://opentime.shop.example',
    OPENTIME_LOG_LEVEL: 'info',
  });

  test('adds no demo API key and prints no token signed by the configured key, nor any API key', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [SERVER], { env: productionEnv(port) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      // The JSON log line "opentime started" is written once the server listens.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start within 30 s:\n${stdout}\n${stderr}`)), 30_000);
        child.stdout.on('data', () => {
          if (stdout.includes('"msg":"opentime started"')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`exited with ${code}:\n${stderr}`));
        });
      });
      const api = (key: string): Promise<Response> => fetch(`http://127.0.0.1:${port}/api/v1/products/quilted-jacket-olive`, { headers: { Authorization: `Bearer ${key}` } });

      // The configured key is the only key: it works, and nothing else was created beside it.
      expect((await api(crm.key)).status).not.toBe(401);
      expect(fs.existsSync(path.join(dataDir, 'demo-api-key.txt'))).toBe(false);
      const printedKeys = `${stdout}${stderr}`.match(/otk_[\w-]+/g) ?? [];
      for (const key of printedKeys) expect([key, (await api(key)).status]).toEqual([key, 401]);
      expect(printedKeys).toEqual([]);

      const tokens = jwtsIn(`${stdout}${stderr}`);
      expect(tokens.filter(verifiesUnderProductionKey)).toEqual([]);
      expect(tokens).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  test('OPENTIME_DEMO=1 beside the keys is refused at start-up with one line, before anything is written', () => {
    const result = spawnSync(process.execPath, [SERVER], { env: { ...productionEnv(0), OPENTIME_DEMO: '1' }, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^OPENTIME_DEMO="1": expected false or unset while OPENTIME_SIGNING_KEYS and OPENTIME_API_KEYS are set \(demo mode would add an all-scopes demo API key and print sample tokens signed with your key\)[^\n]*\n$/);
    expect(result.stdout).toBe('');
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
