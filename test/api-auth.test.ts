import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  ApiKeyring,
  DEMO_API_KEY_FILE,
  formatApiKeyRecord,
  generateApiKey,
  hashApiKey,
  loadOrCreateDemoApiKey,
  parseApiKeyRecords,
} from '../src/api/api-keys';
import { apiKeysFromConfig } from '../src/api/api-keyring-from-config';
import { ConfigError } from '../src/config';
import { createApiApp, getJson, postJson, type ApiApp } from './helpers/api-app';
import { runCli } from './helpers/processes';

describe('ingestion API authentication', () => {
  let fixture: ApiApp;
  beforeEach(async () => {
    fixture = await createApiApp();
  });
  afterEach(() => fixture.close());

  const stockUpdate = { products: [{ id: 'quilted-jacket-olive', stock: 1 }] };
  const storedStock = async () => (await fixture.database.catalogue.getProduct('quilted-jacket-olive'))?.stock;

  test('no Authorization header: 401 api_key_missing, nothing written', async () => {
    const response = await postJson(fixture, '/api/v1/products', stockUpdate, { key: '' });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('api_key_missing');
    expect(response.body.error.message).toMatch(/Authorization: Bearer/);
    expect(await storedStock()).toBe(22);
  });

  test('a key that is not configured: 401 api_key_invalid', async () => {
    const response = await postJson(fixture, '/api/v1/products', stockUpdate, { key: generateApiKey('stranger', ['products:write']).key });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('api_key_invalid');
    expect(await storedStock()).toBe(22);
  });

  test('a subscriber token is never an API key, as Bearer or as ?t=', async () => {
    const token = fixture.token('sub-emma');
    const asBearer = await postJson(fixture, '/api/v1/products', stockUpdate, { key: token });
    expect(asBearer.status).toBe(401);
    expect(asBearer.body.error.code).toBe('api_key_invalid');
    const asQuery = await request(fixture.app).get(`/api/v1/products/quilted-jacket-olive?t=${token}`);
    expect(asQuery.status).toBe(401);
    expect(asQuery.body.error.code).toBe('api_key_missing');
    expect(await storedStock()).toBe(22);
  });

  test('a malformed Authorization header is refused', async () => {
    const response = await request(fixture.app).get('/api/v1/products/quilted-jacket-olive').set('Authorization', `Basic ${fixture.keys.all}`);
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('api_key_invalid');
  });

  test('a key without the scope: 403 api_scope_missing naming the key and scope, nothing written', async () => {
    const readOnly = await postJson(fixture, '/api/v1/products', stockUpdate, { key: fixture.keys.readOnly });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.error).toMatchObject({ code: 'api_scope_missing', detail: 'The key "reader" lacks the scope products:write.' });
    const catalogueOnly = await postJson(fixture, '/api/v1/events', { events: [] }, { key: fixture.keys.productsOnly });
    expect(catalogueOnly.status).toBe(403);
    expect(catalogueOnly.body.error.detail).toMatch(/events:write/);
    const cannotRead = await getJson(fixture, '/api/v1/products/quilted-jacket-olive', fixture.keys.productsOnly);
    expect(cannotRead.status).toBe(403);
    expect(cannotRead.body.error.detail).toMatch(/products:read/);
    expect(await storedStock()).toBe(22);
  });

  test('the right scope gets through, and answers are never cached', async () => {
    const write = await postJson(fixture, '/api/v1/products', stockUpdate, { key: fixture.keys.productsOnly });
    expect(write.status).toBe(200);
    expect(write.headers['cache-control']).toBe('no-store');
    const read = await getJson(fixture, '/api/v1/products/quilted-jacket-olive', fixture.keys.readOnly);
    expect(read.status).toBe(200);
    expect(read.body.product.stock).toBe(1);
  });
});

describe('API key configuration', () => {
  test('OPENTIME_API_KEYS entries round-trip, scopes with colons included', () => {
    const a = generateApiKey('crm', ['products:write', 'events:write']);
    const b = generateApiKey('reader', ['products:read']);
    const records = parseApiKeyRecords(`${formatApiKeyRecord(a.record)}, ${formatApiKeyRecord(b.record)}`);
    expect(records).toEqual([a.record, b.record]);
    const keyring = new ApiKeyring(records);
    expect(keyring.find(a.key)?.name).toBe('crm');
    expect(keyring.find(b.key)?.scopes).toEqual(['products:read']);
    expect(keyring.find(`${a.key}x`)).toBeUndefined();
  });

  test('"*" means every scope', () => {
    const [record] = parseApiKeyRecords(`ops:*:${'a'.repeat(64)}`);
    expect(record?.scopes).toContain('subscribers:write');
    expect(record?.scopes).toContain('events:write');
  });

  test('keys are held as SHA-256 hashes only', () => {
    const { key, record } = generateApiKey('crm', ['products:write']);
    expect(key).toMatch(/^otk_[A-Za-z0-9_-]{43}$/);
    expect(record.sha256).toBe(hashApiKey(key));
    expect(formatApiKeyRecord(record)).not.toContain(key.slice(4));
  });

  test.each([
    ['crm', /wrong shape/],
    ['crm:products:write', /64 lowercase hex/],
    [`crm:products:fly:${'a'.repeat(64)}`, /unknown scope "products:fly"/],
    [`bad name:products:write:${'a'.repeat(64)}`, /name "bad name"/],
    [`a:products:write:${'a'.repeat(64)},a:events:write:${'b'.repeat(64)}`, /duplicate key name "a"/],
  ])('a bad entry %j is refused with what was expected', (text, message) => {
    expect(() => parseApiKeyRecords(text)).toThrow(message);
  });

  test('demo mode creates an all-scopes key once (mode 0600) and reuses it', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-demo-key-'));
    const first = apiKeysFromConfig({ demo: true, dataDir, apiKeys: undefined });
    const second = apiKeysFromConfig({ demo: true, dataDir, apiKeys: undefined });
    expect(first.demoKey).toMatch(/^otk_/);
    expect(second.demoKey).toBe(first.demoKey);
    expect(first.keys.find(first.demoKey as string)?.scopes).toEqual(loadOrCreateDemoApiKey(dataDir).record.scopes);
    expect(fs.statSync(path.join(dataDir, DEMO_API_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(apiKeysFromConfig({ demo: false, dataDir, apiKeys: undefined }).keys.size).toBe(0);
  });

  test('a bad OPENTIME_API_KEYS is a ConfigError (exit 2 at start-up)', () => {
    expect(() => apiKeysFromConfig({ demo: false, dataDir: os.tmpdir(), apiKeys: 'nonsense' })).toThrow(ConfigError);
  });
});

describe('`opentime api-key create`', () => {
  test('prints a key once and the OPENTIME_API_KEYS entry that accepts it', () => {
    const created = runCli(['api-key', 'create', '--name', 'crm', '--scopes', 'products:write+events:write'], { OPENTIME_DEMO: 'false' });
    expect(created.status).toBe(0);
    const key = created.stdout.trim();
    const entry = /^ {2}(crm:products:write\+events:write:[0-9a-f]{64})$/m.exec(created.stderr)?.[1];
    expect(entry).toBeDefined();
    const keyring = new ApiKeyring(parseApiKeyRecords(entry as string));
    expect(keyring.find(key)?.scopes).toEqual(['products:write', 'events:write']);
    expect(created.stderr).not.toContain(key);
    const listed = runCli(['api-key', 'list'], { OPENTIME_DEMO: 'false', OPENTIME_API_KEYS: entry as string });
    expect(listed.stdout).toBe('crm\tproducts:write+events:write\n');
    const bad = runCli(['api-key', 'create', '--name', 'crm', '--scopes', 'products:delete'], {});
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown scope "products:delete"/);
  });
});
