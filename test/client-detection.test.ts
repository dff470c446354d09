import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../src/config';
import { AddressRanges, AddressRangeError, parseIpv4 } from '../src/open/address-ranges';
import { AppleRelayRanges, parseRelayRanges } from '../src/open/apple-relay-ranges';
import { detectClient, isHumanOpen } from '../src/open/client-detection';
import { createRecordingApp, GMAIL_PROXY, MPP, renderRows, RELAY_SAMPLE, type RecordingApp } from './helpers/recording-app';

const relays = AppleRelayRanges.of(RELAY_SAMPLE);

// User agents as these clients send them (uap-core, browscap and ua-parser-js issue threads; MPP: uap-core#509).
const UA = {
  gmailProxy: GMAIL_PROXY,
  yahooProxy: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
  applePrivacyProxy: 'Mozilla/5.0',
  appleMailMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)',
  appleMailIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  outlookWindows: 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)',
  thunderbird: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.4.1',
  curl: 'curl/8.4.0',
};

// Addresses: Apple relay egress (from Apple's published list), Google's image proxy, and documentation ranges for residential.
const ADDRESS = {
  appleRelayV4: '172.224.226.7',
  appleRelayV4Edge: '172.224.226.33', // last address of 172.224.226.32/31
  justOutsideRelay: '172.224.226.34',
  appleRelayV6: '2a02:26f7:b3c0:4000:8d1:2f00:1c3:9a',
  appleRelayMapped: '::ffff:172.224.226.12',
  googleProxy: '66.249.84.213',
  residentialV4: '198.51.100.20',
  residentialV6: '2001:db8:85a3::8a2e:370:7334',
};

describe('detectClient: real user agents and addresses', () => {
  test.each([
    ['Gmail image proxy', 'gmail-proxy', 'user-agent', { userAgent: UA.gmailProxy, remoteAddress: ADDRESS.googleProxy }],
    ['Yahoo Mail proxy', 'yahoo-proxy', 'user-agent', { userAgent: UA.yahooProxy, remoteAddress: '98.136.103.23' }],
    ['MPP prefetch from a relay', 'apple-prefetch', 'user-agent', { userAgent: UA.applePrivacyProxy, remoteAddress: ADDRESS.appleRelayV4 }],
    ['MPP user agent from an address the (stale) list lacks', 'apple-prefetch', 'user-agent', { userAgent: UA.applePrivacyProxy, remoteAddress: ADDRESS.residentialV4 }],
    ['relay address, no user agent', 'apple-prefetch', 'relay-address', { userAgent: '', remoteAddress: ADDRESS.appleRelayV4Edge }],
    ['relay address over IPv6, no user agent', 'apple-prefetch', 'relay-address', { remoteAddress: ADDRESS.appleRelayV6 }],
    ['relay address as IPv4-mapped IPv6', 'apple-prefetch', 'relay-address', { userAgent: '', remoteAddress: ADDRESS.appleRelayMapped }],
    ['relay address, bare product token', 'apple-prefetch', 'relay-address', { userAgent: UA.curl, remoteAddress: ADDRESS.appleRelayV4 }],
    ['Safari through iCloud Private Relay is a person', 'direct', 'none', { userAgent: UA.safariIphone, remoteAddress: ADDRESS.appleRelayV4 }],
    ['just outside a relay range, no user agent', 'direct', 'none', { userAgent: '', remoteAddress: ADDRESS.justOutsideRelay }],
    ['Apple Mail on a Mac, MPP off', 'direct', 'none', { userAgent: UA.appleMailMac, remoteAddress: ADDRESS.residentialV4 }],
    ['Apple Mail on an iPhone, MPP off', 'direct', 'none', { userAgent: UA.appleMailIphone, remoteAddress: ADDRESS.residentialV6 }],
    ['Outlook for Windows', 'direct', 'none', { userAgent: UA.outlookWindows, remoteAddress: ADDRESS.residentialV4 }],
    ['Thunderbird', 'direct', 'none', { userAgent: UA.thunderbird, remoteAddress: ADDRESS.residentialV6 }],
    ['curl from home', 'direct', 'none', { userAgent: UA.curl, remoteAddress: ADDRESS.residentialV4 }],
    ['AMP viewer (CORS headers), whatever the user agent', 'amp', 'amp-cors', { amp: true, userAgent: UA.applePrivacyProxy, remoteAddress: ADDRESS.appleRelayV4 }],
  ] as const)('%s → %s (by %s)', (_name, client, signal, signals) => {
    const detection = detectClient(signals, relays);
    expect(detection.client).toBe(client);
    expect(detection.signal).toBe(signal);
    expect(detection.prefetch).toBe(client === 'apple-prefetch');
    expect(isHumanOpen(detection.client)).toBe(client !== 'apple-prefetch');
  });

  test('without a relay list, only the user agent can tell a prefetch', () => {
    expect(detectClient({ userAgent: '', remoteAddress: ADDRESS.appleRelayV4 }).client).toBe('direct');
    expect(detectClient({ userAgent: 'Mozilla/5.0', remoteAddress: ADDRESS.residentialV4 }).client).toBe('apple-prefetch');
  });
});

describe('AddressRanges', () => {
  test('IPv4 prefixes are inclusive at both ends, merged when adjacent, and exclude neighbours', () => {
    const ranges = AddressRanges.fromPrefixes(['10.0.0.0/31', '10.0.0.2/31', '192.0.2.1', '0.0.0.0/32']);
    expect(ranges.size).toBe(3); // 10.0.0.0–10.0.0.3 merged
    for (const inside of ['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3', '192.0.2.1', '0.0.0.0']) expect(ranges.has(inside)).toBe(true);
    for (const outside of ['10.0.0.4', '9.255.255.255', '192.0.2.0', '192.0.2.2', '255.255.255.255']) expect(ranges.has(outside)).toBe(false);
  });

  test('a prefix with host bits set covers its whole network', () => {
    expect(AddressRanges.fromPrefixes(['172.224.226.9/27']).has('172.224.226.31')).toBe(true);
  });

  test('IPv6 prefixes up to /64 are exact; longer ones cover their /64', () => {
    const ranges = AddressRanges.fromPrefixes(['2a02:26f7:b3c0::/48', '2001:db8:1:2::/96']);
    expect(ranges.has('2a02:26f7:b3c0:ffff::1')).toBe(true);
    expect(ranges.has('2a02:26f7:b3c1::1')).toBe(false);
    expect(ranges.has('2001:db8:1:2:ffff::1')).toBe(true);
    expect(ranges.has('2001:db8:1:3::1')).toBe(false);
  });

  test('nothing unparsable is inside', () => {
    const ranges = AddressRanges.fromPrefixes(['0.0.0.0/0']);
    for (const junk of [undefined, '', 'localhost', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3']) expect(ranges.has(junk)).toBe(false);
    expect(ranges.has('8.8.8.8')).toBe(true);
  });

  test('parseIpv4 reads dotted quads only', () => {
    expect(parseIpv4('172.224.226.7')).toBe(0xace0e207);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('1.2.3.4 ')).toBe(-1);
    expect(parseIpv4('1.2.3.0004')).toBe(-1);
  });

  test('a bad entry says what was expected', () => {
    expect(() => AddressRanges.fromPrefixes(['172.224.226.0/33'])).toThrow(new AddressRangeError('"172.224.226.0/33": the prefix length must be a whole number from 0 to 32. Expected a CIDR prefix such as "172.224.226.0/27" or "2a02:26f7:b3c0:4000::/64", or a single address.'));
    expect(() => AddressRanges.fromPrefixes(['mask.icloud.com'])).toThrow(/is not an IPv4 or IPv6 address/);
  });
});

describe('Apple relay ranges file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-relays-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("reads Apple's CSV as published, and plain prefix lists, with comments", () => {
    const ranges = parseRelayRanges(
      ['# egress-ip-ranges.csv', '172.224.226.0/27,GB,GB-EN,London,', '', '2a02:26f7:b3c0:4000::/64,US,US-CA,Los Angeles,', '146.75.232.124'].join('\n'),
      'relays.csv',
    );
    expect(ranges.has('172.224.226.31')).toBe(true);
    expect(ranges.has('2a02:26f7:b3c0:4000::1')).toBe(true);
    expect(ranges.has('146.75.232.124')).toBe(true);
    expect(ranges.has('146.75.232.125')).toBe(false);
  });

  test('a bad line is named by its number', () => {
    expect(() => parseRelayRanges('# ok\n172.224.226.0/27,GB,GB-EN,London,\n172.224.226.0/40,GB,GB-EN,London,\n', 'relays.csv')).toThrow(
      new ConfigError('relays.csv line 3: "172.224.226.0/40": the prefix length must be a whole number from 0 to 32. Expected a CIDR prefix such as "172.224.226.0/27" or "2a02:26f7:b3c0:4000::/64", or a single address.'),
    );
  });

  test('the shipped starter list loads and holds the sample', () => {
    const shipped = AppleRelayRanges.load(path.join(__dirname, '..', 'config', 'apple-relay-ranges.txt'));
    expect(shipped.has(ADDRESS.appleRelayV4)).toBe(true);
    expect(shipped.has(ADDRESS.residentialV4)).toBe(false);
  });

  test('a refreshed file is picked up without a restart; an invalid one keeps the previous list', async () => {
    const file = path.join(dir, 'relays.txt');
    fs.writeFileSync(file, '172.224.226.0/27\n');
    const errors: unknown[] = [];
    const ranges = AppleRelayRanges.load(file).watch({ intervalMs: 20, logger: { info: () => {}, error: (fields: unknown) => errors.push(fields) } as never });
    try {
      expect(ranges.has('104.28.1.1')).toBe(false);
      fs.writeFileSync(file, '172.224.226.0/27\n104.28.0.0/16\n');
      await waitFor(() => ranges.has('104.28.1.1'));
      fs.writeFileSync(file, 'not an address at all\n');
      await waitFor(() => errors.length > 0);
      expect(ranges.has('104.28.1.1')).toBe(true);
    } finally {
      ranges.close();
    }
  });
});

describe('prefetches are recorded as such', () => {
  let fx: RecordingApp;
  afterEach(() => fx?.close());

  test('the render log says who fetched, and only human opens are human', async () => {
    fx = await createRecordingApp({
      blocksYaml: 'blocks:\n  - { id: hero, kind: product, productId: quilted-jacket-olive, defaultUrl: "https://shop.example/sale" }\n',
    });
    await fx.image('hero', 'sub-emma', { userAgent: MPP.userAgent, address: MPP.address });
    await fx.image('hero', 'sub-emma', { userAgent: '', address: '2a02:26f7:b3c0:4000::99' });
    await fx.image('hero', 'sub-emma', { userAgent: GMAIL_PROXY, address: '66.249.84.213' });
    await fx.image('hero', 'sub-emma', { userAgent: UA.outlookWindows, address: '198.51.100.20' });
    await fx.json('hero', 'sub-emma');
    await fx.flush();
    expect(renderRows(fx).map((row) => [row.surface, row.client, row.prefetch])).toEqual([
      ['image', 'apple-prefetch', 1],
      ['image', 'apple-prefetch', 1],
      ['image', 'gmail-proxy', 0],
      ['image', 'direct', 0],
      ['json', 'amp', 0],
    ]);
    const [counts] = await fx.storage.renderLog.campaignReportCounts('flash-sale');
    expect(counts).toMatchObject({ renders: 5, prefetchRenders: 2, humanOpeners: 1 });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
