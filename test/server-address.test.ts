import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { publicUrlForCommands, recordServerAddress, SERVER_ADDRESS_FILE } from '../src/server-address';

/** Which public URL a command writes into links, beside a server that recorded its own. */
describe('public URL for commands', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-address-'));
    recordServerAddress({ dataDir }, { publicUrl: 'http://localhost:9321', port: 9321 });
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  function urlFor(env: NodeJS.ProcessEnv): { url: string; warnings: string[] } {
    const warnings: string[] = [];
    const url = publicUrlForCommands(loadConfig({ OPENTIME_DATA_DIR: dataDir, ...env }, '/'), (line) => warnings.push(line));
    return { url, warnings };
  }

  test('with nothing set, the URL the server on this data directory started with', () => {
    expect(urlFor({})).toEqual({ url: 'http://localhost:9321', warnings: [] });
  });

  test('a setting given to the command wins over the recorded one', () => {
    expect(urlFor({ OPENTIME_PUBLIC_URL: 'https://email.shop.example/' }).url).toBe('https://email.shop.example');
    expect(urlFor({ PORT: '7000' }).url).toBe('http://localhost:7000');
  });

  test('an unreadable record is no record: the default, with a warning', () => {
    fs.writeFileSync(path.join(dataDir, SERVER_ADDRESS_FILE), '{"publicUrl":');
    const { url, warnings } = urlFor({});
    expect(url).toBe('http://localhost:8080');
    expect(warnings).toEqual([expect.stringMatching(/^warning: neither OPENTIME_PUBLIC_URL nor PORT is set .*links use http:\/\/localhost:8080\. Set OPENTIME_PUBLIC_URL/)]);
  });
});
