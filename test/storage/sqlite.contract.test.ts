import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStorage } from '../../src/storage/open-storage';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import { describeStorageContract, type StorageUnderTest } from './contract';

/**
 * The storage contract on SQLite: a database file in a temporary directory,
 * and "another process" as a second connection to the same file (what the
 * server and `opentime import`, or N server processes, do).
 */
function onTemporaryFile(open: (file: string) => Promise<Storage>): () => Promise<StorageUnderTest> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-contract-'));
    const file = path.join(dir, 'opentime.db');
    const opened: Storage[] = [];
    const openOne = async (): Promise<Storage> => {
      const storage = await open(file);
      opened.push(storage);
      return storage;
    };
    return {
      storage: await openOne(),
      openAnother: openOne,
      async dispose() {
        for (const storage of opened) await storage.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

describeStorageContract(
  'SQLite',
  onTemporaryFile(async (file) => openSqliteStorage(file)),
);

// What the server and every command open: the same database behind the catalogue cache.
describeStorageContract(
  'SQLite through openStorage (catalogue cache in front)',
  onTemporaryFile((file) => openStorage({ databaseFile: file, freshnessMs: 60_000 })),
);
