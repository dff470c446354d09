import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBlocksConfig } from '../src/blocks/blocks-config';
import { ConfigError, loadConfig } from '../src/config';
import { keyringFromConfig } from '../src/tokens/keyring-from-config';
import { signSubscriberToken, verifySubscriberToken } from '../src/tokens/subscriber-token';

const yaml = (block: string): string => `blocks:\n  - ${block}\n`;
const errorOf = (text: string): string => {
  try {
    parseBlocksConfig(text, 'blocks.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('blocks config validation says where and what was expected', () => {
  test('the shipped demo config loads', () => {
    const catalog = parseBlocksConfig(fs.readFileSync(path.join(__dirname, '..', 'config', 'blocks.yaml'), 'utf8'), 'demo');
    expect([...catalog.values()].map((block) => block.kind.name).sort()).toEqual(['countdown', 'loyalty', 'product', 'product', 'recommendations']);
  });

  test.each([
    ['unknown kind', yaml('{ id: a, kind: banner, defaultUrl: "https://x.example" }'), /blocks\[0\] \(id "a"\): unknown kind "banner". Expected one of: countdown, product, recommendations, loyalty/],
    ['missing productId', yaml('{ id: a, kind: product, defaultUrl: "https://x.example" }'), /blocks\[0\] \(id "a"\) at productId: /],
    ['bad id', yaml('{ id: "Hero Product", kind: loyalty, defaultUrl: "https://x.example" }'), /at id: expected lowercase letters, digits and dashes/],
    ['missing defaultUrl', yaml('{ id: a, kind: loyalty }'), /at defaultUrl/],
    ['unknown operator', yaml('{ id: a, kind: product, productId: p, defaultUrl: "https://x.example", swapWhen: { "lessthan": [1, 2] } }'), /blocks\[0\] \(id "a"\)\.swapWhen: unknown JSON Logic operator "lessthan"/],
    ['misspelt fact', yaml('{ id: a, kind: loyalty, defaultUrl: "https://x.example", holdBackWhen: { "==": [{ "var": "subscribr.country" }, "US"] } }'), /holdBackWhen\.==\[0\]: .*starts with "subscribr"\. Expected one of: subscriber, campaign/],
    ['unknown message key', yaml('{ id: a, kind: loyalty, defaultUrl: "https://x.example", messages: { headline: "x" } }'), /messages: unknown message "headline" for a loyalty block. Expected one of: greeting, balance/],
    ['unsorted tiers', yaml('{ id: a, kind: loyalty, defaultUrl: "https://x.example", tiers: [{ name: B, minPoints: 10 }, { name: A, minPoints: 5 }] }'), /expected tiers in ascending order/],
    ['no blocks list', 'blocks: 3\n', /expected a "blocks:" list/],
    ['broken YAML', 'blocks: [\n', /not valid YAML or JSON/],
  ])('%s', (_name, text, expected) => {
    expect(errorOf(text)).toMatch(expected);
  });

  test('duplicate ids are refused', () => {
    const text = 'blocks:\n  - { id: a, kind: loyalty, defaultUrl: "https://x.example" }\n  - { id: a, kind: loyalty, defaultUrl: "https://x.example" }\n';
    expect(errorOf(text)).toMatch(/blocks\[1\] \(id "a"\): duplicate block id "a"/);
  });
});

describe('server configuration', () => {
  const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-config-'));

  test('defaults: port 8080, ./data, demo on, 1 s freshness', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({ port: 8080, dataDir: '/srv/app/data', demo: true, freshnessMs: 1000, publicUrl: 'http://localhost:8080' });
    expect(config.databaseFile).toBe('/srv/app/data/opentime.db');
  });

  test('environment overrides the config file, and bad values say what was expected', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'opentime.yaml'), 'port: 9000\nallowedSenders: [news@shop.example]\nlogLevel: warn\n');
    const config = loadConfig({ OPENTIME_CONFIG: 'opentime.yaml', PORT: '9100' }, dir);
    expect(config.port).toBe(9100);
    expect(config.allowedSenders).toEqual(['news@shop.example']);
    expect(config.logLevel).toBe('warn');
    expect(() => loadConfig({ PORT: 'eighty' }, dir)).toThrow(/setting at port: .*number/i);
    expect(() => loadConfig({ OPENTIME_LOG_LEVEL: 'loud' }, dir)).toThrow(/logLevel/);
    fs.writeFileSync(path.join(dir, 'typo.yaml'), 'prot: 9000\n');
    expect(() => loadConfig({ OPENTIME_CONFIG: 'typo.yaml' }, dir)).toThrow(/prot/);
  });

  test('production mode requires signing keys', () => {
    expect(() => keyringFromConfig(loadConfig({ OPENTIME_DEMO: 'false' }, tmp()))).toThrow(/OPENTIME_SIGNING_KEYS is required/);
  });

  test('configured keys: the last is active by default and older ones still verify (rotation)', () => {
    const old = Buffer.alloc(32, 1).toString('base64url');
    const next = Buffer.alloc(32, 2).toString('base64url');
    const before = keyringFromConfig(loadConfig({ OPENTIME_SIGNING_KEYS: `k1:${old}` }, tmp()));
    const token = signSubscriberToken(before, { subscriberId: 's', campaignId: 'c' }, { audience: 'opentime' });
    const after = keyringFromConfig(loadConfig({ OPENTIME_SIGNING_KEYS: `k1:${old},k2:${next}` }, tmp()));
    expect(after.activeKid).toBe('k2');
    expect(verifySubscriberToken(after, token, { audience: 'opentime' }).subscriberId).toBe('s');
  });

  test('demo keys are shared by every process on the same data dir', () => {
    const dir = tmp();
    const first = keyringFromConfig(loadConfig({ OPENTIME_DATA_DIR: dir }, dir));
    const second = keyringFromConfig(loadConfig({ OPENTIME_DATA_DIR: dir }, dir));
    const token = signSubscriberToken(first, { subscriberId: 's', campaignId: 'c' }, { audience: 'opentime' });
    expect(verifySubscriberToken(second, token, { audience: 'opentime' }).campaignId).toBe('c');
  });
});
