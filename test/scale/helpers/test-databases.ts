import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openPostgresStorage } from '../../../src/storage/postgres/postgres-storage';

/**
 * Databases of the test PostgreSQL (test/scale/services/global-setup.ts):
 * each test gets its own, created through the admin URL and dropped after,
 * so tests never see each other's rows.
 */
export function adminUrl(): string {
  const url = process.env.OPENTIME_TEST_DATABASE_URL;
  if (!url) throw new Error('OPENTIME_TEST_DATABASE_URL is not set: run these tests through the `scale` jest project (npm run test:scale), whose global setup starts PostgreSQL');
  return url;
}

/** The admin URL with another database name. */
export function urlOf(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

async function asAdmin<T>(work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** Lower-case letters and digits only: a valid identifier without quoting. */
const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(8).toString('hex')}`;

const dropDatabase = (name: string): Promise<void> => asAdmin(async (admin) => void (await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops the database, ending whatever connections are still open to it. */
  drop(): Promise<void>;
}

/**
 * A new database. `empty`: nothing in it, not even the schema (opening a
 * Storage migrates it). `migrated`: a copy of a template this process
 * migrated once (CREATE DATABASE … TEMPLATE): the schema and no rows, what
 * a Storage leaves after migrating an empty database, without paying for
 * the migration in every test.
 */
export async function createTestDatabase(contents: 'empty' | 'migrated' = 'empty'): Promise<TestDatabase> {
  const name = uniqueName('opentime_test');
  const template = contents === 'migrated' ? ` TEMPLATE ${await migratedTemplate()}` : '';
  await asAdmin((admin) => admin.query(`CREATE DATABASE ${name}${template}`));
  return { name, url: urlOf(name), drop: () => dropDatabase(name) };
}

let template: Promise<string> | undefined;

/** This process's migrated template, made on first use; nothing may stay connected to it, or copying it fails. */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const name = uniqueName('opentime_template');
    await asAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
    const storage = await openPostgresStorage(urlOf(name));
    await storage.close();
    return name;
  })();
  return template;
}

/** Drops the template, if this process made one: call it in afterAll of a file that used `migrated` databases. */
export async function dropMigratedTemplate(): Promise<void> {
  if (template === undefined) return;
  const name = await template;
  template = undefined;
  await dropDatabase(name);
}
