import { openStorage } from '../../src/storage/open-storage';
import { openPostgresStorage } from '../../src/storage/postgres/postgres-storage';
import type { Storage } from '../../src/storage/storage';
import { describeStorageContract, type StorageUnderTest } from '../storage/contract';
import { createTestDatabase, dropMigratedTemplate } from './helpers/test-databases';

/**
 * The storage contract on PostgreSQL: a fresh database per test (a copy of
 * a migrated template: copying is cheaper than migrating each time), and
 * "another process" as a second Storage with its own pool of connections
 * to the same database (what N server nodes do). Migrating an empty
 * database is postgres-adapter.test.ts's.
 */
function onFreshDatabase(open: (url: string) => Promise<Storage>): () => Promise<StorageUnderTest> {
  return async () => {
    const database = await createTestDatabase('migrated');
    const opened: Storage[] = [];
    const openOne = async (): Promise<Storage> => {
      const storage = await open(database.url);
      opened.push(storage);
      return storage;
    };
    try {
      return {
        storage: await openOne(),
        openAnother: openOne,
        async dispose() {
          for (const storage of opened) await storage.close();
          await database.drop();
        },
      };
    } catch (error) {
      await database.drop();
      throw error;
    }
  };
}

afterAll(dropMigratedTemplate);

describeStorageContract(
  'PostgreSQL',
  onFreshDatabase((url) => openPostgresStorage(url)),
);

// What the server and every command open with OPENTIME_DATABASE_URL: the same database behind the catalogue cache.
describeStorageContract(
  'PostgreSQL through openStorage (catalogue cache in front)',
  onFreshDatabase((url) => openStorage({ databaseFile: '/nonexistent/opentime.db', databaseUrl: url, freshnessMs: 60_000 })),
);
