import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { openServices } from '../src/services';

/** Permission bits of a file or directory, e.g. 0o600. */
const modeOf = (file: string): number => fs.statSync(file).mode & 0o777;

/**
 * The data directory holds subscribers' profiles, carts and purchases next to
 * the signing keys: nobody but the server's user may read any of it.
 */
describe('a fresh data directory is private to the server user', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-modes-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const expectPrivate = (dataDir: string): void => {
    expect(modeOf(dataDir).toString(8)).toBe('700');
    for (const file of ['opentime.db', 'opentime.db-wal', 'opentime.db-shm']) {
      expect([file, modeOf(path.join(dataDir, file)).toString(8)]).toEqual([file, '600']);
    }
  };

  test('demo mode: directory 0700, database, -wal and -shm 0600', async () => {
    const dataDir = path.join(root, 'data');
    const services = await openServices(loadConfig({ OPENTIME_DATA_DIR: dataDir }, root));
    try {
      expect(services.seeded).toBe(true);
      expectPrivate(dataDir);
      expect(modeOf(path.join(dataDir, 'signing-keys.json')).toString(8)).toBe('600');
    } finally {
      await services.storage.close();
    }
  });

  test('with configured keys (no demo files), the database creates the directory 0700', async () => {
    const dataDir = path.join(root, 'nested', 'data');
    const signingKeys = `prod:${Buffer.alloc(32, 7).toString('base64')}`;
    const services = await openServices(loadConfig({ OPENTIME_DATA_DIR: dataDir, OPENTIME_SIGNING_KEYS: signingKeys, OPENTIME_DEMO: 'false' }, root));
    try {
      // Opening migrated the new database, so its -wal and -shm exist too.
      expectPrivate(dataDir);
    } finally {
      await services.storage.close();
    }
  });
});
