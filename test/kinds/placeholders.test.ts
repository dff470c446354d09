/**
 * Each kind declares the placeholders its resolve fills for each message key
 * (`placeholders` on the kind); the blocks config may use only those, so the
 * declaration must be exactly what resolve passes. Every kind is resolved
 * here in every state that uses a message, on the seeded demo data, with a
 * message function that records what each call was given.
 */
import { parseBlocksConfig } from '../../src/blocks/blocks-config';
import type { PreparedBlock } from '../../src/blocks/prepared-block';
import { DEMO_SUBSCRIBER_IDS } from '../../src/data/demo-data';
import { seedDemoDataIfEmpty } from '../../src/data/seed';
import { placeholdersIn } from '../../src/format/placeholders';
import { allKinds } from '../../src/kinds/registry';
import { buildOpen } from '../../src/open/open';
import { buildFacts } from '../../src/rules/facts';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';

const NOW = new Date('2026-11-22T10:00:00.000Z');

const always = (key: string): string => `[{ when: true, text: ${key} }]`;
const BLOCKS = `blocks:
  - { id: running, kind: countdown, defaultUrl: "https://shop.example/", endsAt: "2026-11-23T10:00:00Z" }
  - { id: expired, kind: countdown, defaultUrl: "https://shop.example/", endsAt: "2026-11-21T10:00:00Z" }
  - { id: jacket-sold-out-badge, kind: product, productId: quilted-jacket-olive, defaultUrl: "https://shop.example/", badges: ${always('badgeSoldOut')} }
  - { id: jacket-low-stock-badge, kind: product, productId: quilted-jacket-olive, defaultUrl: "https://shop.example/", badges: ${always('badgeLowStock')} }
  - { id: swapped-parka, kind: product, productId: down-parka-black, defaultUrl: "https://shop.example/", badges: ${always('badgeSale')} }
  - { id: picks, kind: recommendations, defaultUrl: "https://shop.example/", badges: [{ when: true, text: badgeLowStock }] }
  - { id: picks-sold-out, kind: recommendations, defaultUrl: "https://shop.example/", badges: ${always('badgeSoldOut')} }
  - { id: picks-sale, kind: recommendations, defaultUrl: "https://shop.example/", badges: ${always('badgeSale')} }
  - id: loyalty
    kind: loyalty
    defaultUrl: "https://shop.example/"
    tiers: [{ name: Bronze, minPoints: 100 }, { name: Silver, minPoints: 1000 }, { name: Gold, minPoints: 2500 }, { name: Platinum, minPoints: 10000 }]
  - { id: callout, kind: callout, defaultUrl: "https://shop.example/" }
  - { id: banner, kind: banner, defaultUrl: "https://shop.example/" }
  - { id: poll, kind: poll-results, poll: style-poll, defaultUrl: "https://shop.example/" }
  - { id: feed, kind: feed, feed: { url: /demo/feeds/journal.xml }, defaultUrl: "https://shop.example/" }
`;

/** The poll the poll-results block shows, with some votes. */
const polls = async (_campaignId: string, pollId: string) =>
  pollId === 'style-poll' ? { question: 'Which look?', total: 3, answers: [{ id: 'a', label: 'A', count: 2, percent: 67 }, { id: 'b', label: 'B', count: 1, percent: 33 }] } : undefined;

/** Who opens each block: a known subscriber (several for loyalty's states) and, where the kind allows, nobody. */
const OPENERS: readonly (string | null)[] = [DEMO_SUBSCRIBER_IDS.emma, DEMO_SUBSCRIBER_IDS.lena, DEMO_SUBSCRIBER_IDS.noah, DEMO_SUBSCRIBER_IDS.oliver, null];

let storage: Storage;
beforeAll(async () => {
  storage = openSqliteStorage(':memory:');
  await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: NOW });
});
afterAll(() => storage.close());

/** Every message call a block's resolve makes, over every opener: key → the names of the values passed. */
async function messageCalls(block: PreparedBlock): Promise<[string, string[]][]> {
  const calls: [string, string[]][] = [];
  for (const subscriberId of OPENERS) {
    const subscriber = subscriberId === null ? null : ((await storage.catalogue.getSubscriber(subscriberId)) ?? null);
    const open = buildOpen({ now: NOW, subscriber, campaign: null, campaignId: 'flash-sale', client: 'amp' });
    const message = (key: string, values: Readonly<Record<string, unknown>> = {}): string => {
      calls.push([key, Object.keys(values).sort()]);
      return key;
    };
    // HoldBack (loyalty with nobody) is a state without messages.
    await block.resolve({ open, store: storage.catalogue, facts: buildFacts(open), message, polls }).catch((error: Error) => expect(error.name).toBe('HoldBack'));
  }
  return calls;
}

const catalog = parseBlocksConfig(BLOCKS, 'placeholders test');

describe.each(allKinds.map((kind) => [kind.name, kind] as const))('%s', (name, kind) => {
  test('declares placeholders for exactly its message keys, and its English defaults use no other', () => {
    expect(Object.keys(kind.placeholders).sort()).toEqual(Object.keys(kind.defaultMessages).sort());
    for (const [key, text] of Object.entries(kind.defaultMessages)) {
      expect([key, placeholdersIn(text).filter((placeholder) => !kind.placeholders[key]?.includes(placeholder))]).toEqual([key, []]);
    }
  });

  test('resolving passes exactly the declared values for every message, and every message is used', async () => {
    const blocks = [...catalog.values()].filter((block) => block.kind.name === name);
    expect(blocks.length).toBeGreaterThan(0);
    const calls = (await Promise.all(blocks.map(messageCalls))).flat();
    for (const [key, passed] of calls) expect([key, passed]).toEqual([key, [...(kind.placeholders[key] ?? [])].sort()]);
    expect([...new Set(calls.map(([key]) => key))].sort()).toEqual(Object.keys(kind.defaultMessages).sort());
  });
});
