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
    expect([...catalog.values()].map((block) => block.kind.name).sort()).toEqual(['banner', 'countdown', 'countdown', 'countdown', 'feed', 'loyalty', 'poll-results', 'product', 'product', 'recommendations']);
  });

  test.each([
    ['unknown kind', yaml('{ id: a, kind: carousel, defaultUrl: "https://x.example" }'), /blocks\[0\] \(id "a"\): unknown kind "carousel". Expected one of: countdown, product, recommendations, loyalty/],
    ['missing productId', yaml('{ id: a, kind: product, defaultUrl: "https://x.example" }'), /^blocks\.yaml: blocks\[0\] \(id "a"\)\.productId: missing; expected a string$/],
    ['bad id', yaml('{ id: "Hero Product", kind: loyalty, defaultUrl: "https://x.example" }'), /\(id "Hero Product"\)\.id: expected lowercase letters, digits and dashes, e\.g\. "flash-countdown"; received "Hero Product"$/],
    ['missing defaultUrl', yaml('{ id: a, kind: loyalty }'), /\(id "a"\)\.defaultUrl: missing; expected a string$/],
    ['unknown operator', yaml('{ id: a, kind: product, productId: p, defaultUrl: "https://x.example", swapWhen: { "lessthan": [1, 2] } }'), /blocks\[0\] \(id "a"\)\.swapWhen: unknown JSON Logic operator "lessthan"/],
    ['misspelt fact', yaml('{ id: a, kind: loyalty, defaultUrl: "https://x.example", holdBackWhen: { "==": [{ "var": "subscribr.country" }, "US"] } }'), /\(id "a"\)\.holdBackWhen\.==\[0\]\.var: unknown fact "subscribr\.country"; did you mean "subscriber\.country"\? \(expected a fact of subscriber, campaign, now, open, product/],
    ['unknown message key', yaml('{ id: a, kind: loyalty, defaultUrl: "https://x.example", messages: { headline: "x" } }'), /messages: unknown message "headline" for a loyalty block. Expected one of: greeting, greetingNotMember, notMemberTier, balance/],
    ['unsorted tiers', yaml('{ id: a, kind: loyalty, defaultUrl: "https://x.example", tiers: [{ name: B, minPoints: 10 }, { name: A, minPoints: 5 }] }'), /expected tiers in ascending order/],
    ['no blocks list', 'blocks: 3\n', /expected a "blocks:" list/],
    ['broken YAML', 'blocks: [\n', /not valid YAML or JSON/],
  ])('%s', (_name, text, expected) => {
    expect(errorOf(text)).toMatch(expected);
  });

  // The mistakes users shipped: each stops start-up with one line naming the file, the block, the path and what was expected.
  describe('mistakes that used to reach subscribers', () => {
    const heroProduct = (extra: string): string =>
      `blocks:\n  - { id: flash-countdown, kind: countdown, defaultUrl: "https://shop.example/sale" }\n  - { id: hero-product, kind: product, defaultUrl: "https://shop.example/sale"${extra} }\n`;

    test('a placeholder typo in a translation names the placeholder, the allowed ones and the closest', () => {
      expect(errorOf(heroProduct(', productId: p, translations: { de: { badgeLowStock: "Nur noch {stok} verfügbar" } }'))).toBe(
        'blocks.yaml: blocks[1] (id "hero-product").translations.de.badgeLowStock: unknown placeholder {stok}; did you mean {stock}? (expected one of: {stock}, {discount}, {name})',
      );
    });

    test('a block with several mistakes past its shape gets them all in one go', () => {
      const text = heroProduct(
        ', productId: p, translations: { de: { badgeLowStock: "Nur noch {stok} verfügbar" } }, variants: [{ name: last-day, when: { "<": [{ "var": "campaign.secondLeft" }, 86400] }, messages: { cta: "Last day" } }]',
      );
      expect(errorOf(text).split('\n')).toEqual([
        expect.stringMatching(/^blocks\.yaml: blocks\[1\] \(id "hero-product"\)\.translations\.de\.badgeLowStock: unknown placeholder \{stok\}/),
        expect.stringMatching(/^blocks\.yaml: blocks\[1\] \(id "hero-product"\)\.variants\[0\]\.when\.<\[0\]\.var: unknown fact "campaign\.secondLeft"; did you mean "campaign\.secondsLeft"\?/),
      ]);
    });

    test('a placeholder left open or a plural without its "other" form is refused with where it goes wrong', () => {
      expect(errorOf(heroProduct(', productId: p, translations: { de: { badgeLowStock: "Nur noch {stock verfügbar" } }'))).toBe(
        'blocks.yaml: blocks[1] (id "hero-product").translations.de.badgeLowStock: not a well-formed message at character 10 (malformed argument): ' +
          'expected {name} placeholders and {name, plural, one {…} other {…}} plurals, with every "{" closed',
      );
      expect(errorOf(heroProduct(', productId: p, messages: { badgeLowStock: "{stock, plural, one {# left}}" }'))).toMatch(
        /\.messages\.badgeLowStock: not a well-formed message at character \d+ \(missing other clause\)/,
      );
    });

    test('placeholders are checked per message key, in messages, variant messages and badge texts', () => {
      expect(errorOf(heroProduct(', productId: p, messages: { cta: "Buy {name}" }'))).toBe(
        'blocks.yaml: blocks[1] (id "hero-product").messages.cta: unknown placeholder {name} (this message takes no placeholders)',
      );
      expect(errorOf(yaml('{ id: c, kind: countdown, defaultUrl: "https://x.example", variants: [{ name: v, when: true, messages: { headline: "Ends {dedline}" } }] }'))).toBe(
        'blocks.yaml: blocks[0] (id "c").variants[0].messages.headline: unknown placeholder {dedline}; did you mean {deadline}? (expected one of: {deadline})',
      );
      expect(errorOf(heroProduct(', productId: p, badges: [{ when: true, text: "Only {stocks} left" }]'))).toBe(
        'blocks.yaml: blocks[1] (id "hero-product").badges[0].text: unknown placeholder {stocks}; did you mean {stock}? (expected one of: {stock}, {discount}, {name})',
      );
      // An ICU plural names its count like any placeholder; the words of its branches are text.
      expect(() => parseBlocksConfig(yaml('{ id: l, kind: loyalty, defaultUrl: "https://x.example", messages: { balance: "{points, plural, one {# point} other {# points}}" } }'), 'blocks.yaml')).not.toThrow();
      expect(errorOf(yaml('{ id: l, kind: loyalty, defaultUrl: "https://x.example", messages: { balance: "{pionts, plural, one {# point} other {# points}}" } }'))).toMatch(
        /\.messages\.balance: unknown placeholder \{pionts\}; did you mean \{points\}\?/,
      );
    });

    test('a misspelt fact in a variant rule is refused with the fact it meant', () => {
      const text = 'blocks:\n  - id: flash-countdown\n    kind: countdown\n    defaultUrl: https://shop.example/sale\n    variants:\n      - name: last-day\n        when: { "<": [{ "var": "campaign.secondLeft" }, 86400] }\n        messages: { headline: "Last day!" }\n';
      expect(errorOf(text)).toBe(
        'blocks.yaml: blocks[0] (id "flash-countdown").variants[0].when.<[0].var: unknown fact "campaign.secondLeft"; did you mean "campaign.secondsLeft"? (expected one of: campaign.id, campaign.name, campaign.endsAt, campaign.secondsLeft).',
      );
    });

    test('facts are checked in every rule: badges, lock marks, experiments, kinds\' own rules; element rules read the element', () => {
      expect(errorOf(heroProduct(', productId: p, swapWhen: { "<=": [{ "var": "product.stok" }, 0] }'))).toMatch(/\(id "hero-product"\)\.swapWhen\.<=\[0\]\.var: unknown fact "product\.stok"; did you mean "product\.stock"\?/);
      expect(errorOf(heroProduct(', productId: p, lockAtFirstOpen: { marks: [{ when: { var: "product.onsale" } }] }'))).toMatch(
        /\.lockAtFirstOpen\.marks\[0\]\.when\.var: unknown fact "product\.onsale"; did you mean "product\.onSale"\?/,
      );
      expect(errorOf(heroProduct(', productId: p, experiment: { variants: [{ name: a, weight: 1, override: { swapWhen: { var: "subscriber.carts" } } }] }'))).toMatch(
        /\(id "hero-product"\)\.experiment\.variants\[0\]\.swapWhen\.var: unknown fact "subscriber\.carts"; did you mean "subscriber\.cart"\?/,
      );
      expect(errorOf(yaml('{ id: l, kind: loyalty, defaultUrl: "https://x.example", holdBackWhen: { var: "subscriber.city.name" } }'))).toMatch(/"subscriber\.city" is a value with no fields; received "subscriber\.city\.name"/);
      const fine = [
        '{ "some": [{ "var": "subscriber.cart" }, { "==": [{ "var": "" }, "p1"] }] }',
        '{ ">": [{ "var": "subscriber.purchases.length" }, 2] }',
        '{ "reduce": [{ "var": "subscriber.cart" }, { "+": [{ "var": "accumulator" }, 1] }, 0] }',
      ];
      for (const rule of fine) expect(() => parseBlocksConfig(yaml(`{ id: l, kind: loyalty, defaultUrl: "https://x.example", holdBackWhen: ${rule} }`), 'blocks.yaml')).not.toThrow();
    });

    test('unknown fields are refused at every level that is ours, with the closest known one', () => {
      expect(errorOf(heroProduct(', productId: p, lowStockAtMots: 3'))).toBe('blocks.yaml: blocks[1] (id "hero-product").lowStockAtMots: unknown field; did you mean "lowStockAtMost"?');
      expect(errorOf(heroProduct(', productId: p, theme: { colour: { accent: "#0f766e" } }'))).toBe('blocks.yaml: blocks[1] (id "hero-product").theme.colour: unknown field; did you mean "colors"?');
      expect(errorOf(heroProduct(', productId: p, theme: { colors: { acent: "#0f766e" } }'))).toBe('blocks.yaml: blocks[1] (id "hero-product").theme.colors.acent: unknown field; did you mean "accent"?');
      expect(errorOf(heroProduct(', productId: p, variants: [{ name: v, when: true, mesages: {} }]'))).toBe('blocks.yaml: blocks[1] (id "hero-product").variants[0].mesages: unknown field; did you mean "messages"?');
      expect(errorOf(heroProduct(', productId: p, fallback: { itemz: [] }'))).toMatch(/\.fallback\.itemz: unknown field; did you mean "items"\?/);
      expect(errorOf(heroProduct(', productId: p, lockAtFirstOpen: { mark: [] }'))).toBe('blocks.yaml: blocks[1] (id "hero-product").lockAtFirstOpen.mark: unknown field; did you mean "marks"?');
      expect(errorOf(heroProduct(', productId: p, experiment: { variants: [{ name: a, weight: 1 }], holdot: 5 }'))).toBe('blocks.yaml: blocks[1] (id "hero-product").experiment.holdot: unknown field; did you mean "holdout"?');
      expect(errorOf(heroProduct(', productId: p, experiment: { variants: [{ name: a, weight: 1, override: { lowStock: 2 } }] }'))).toMatch(/\.experiment\.variants\[0\]\.lowStock: unknown field; expected one of: id, description, defaultUrl/);
      // Fallback items are free form: the AMP template reads whatever they hold.
      expect(() => parseBlocksConfig(heroProduct(', productId: p, fallback: { items: [{ headline: "Hi", promoCode: "X1" }] }'), 'blocks.yaml')).not.toThrow();
    });

    test('a misspelt required field is reported as the unknown key with its suggestion, not only as the field missing', () => {
      expect(errorOf(heroProduct(', prodcutId: quilted-jacket-olive'))).toBe('blocks.yaml: blocks[1] (id "hero-product").prodcutId: unknown field; did you mean "productId"?');
    });

    test('every problem of a block is reported, one line each', () => {
      expect(errorOf(heroProduct(', prodcutId: p, colour: red, theme: { height: 10 }')).split('\n')).toEqual([
        'blocks.yaml: blocks[1] (id "hero-product").prodcutId: unknown field; did you mean "productId"?',
        expect.stringMatching(/^blocks\.yaml: blocks\[1\] \(id "hero-product"\)\.colour: unknown field; expected one of: id, description, defaultUrl, .*\btheme\b.*\bproductId\b/),
        'blocks.yaml: blocks[1] (id "hero-product").theme.height: expected at least 60; received 10',
      ]);
    });
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
    expect(() => loadConfig({ PORT: 'eighty' }, dir)).toThrow(/^PORT="eighty": expected a whole number from 0 to 65535$/);
    expect(() => loadConfig({ OPENTIME_LOG_LEVEL: 'loud' }, dir)).toThrow(/^OPENTIME_LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent$/);
    fs.writeFileSync(path.join(dir, 'typo.yaml'), 'prot: 9000\n');
    expect(() => loadConfig({ OPENTIME_CONFIG: 'typo.yaml' }, dir)).toThrow(/^prot in .*typo\.yaml: unknown setting/);
    fs.writeFileSync(path.join(dir, 'bad-port.yaml'), 'port: "abc"\n');
    expect(() => loadConfig({ OPENTIME_CONFIG: 'bad-port.yaml' }, dir)).toThrow(/^port="abc" in .*bad-port\.yaml: expected a whole number from 0 to 65535$/);
  });

  /** The message loadConfig throws for `env`, or a failure when it accepts it. */
  const problemWith = (env: NodeJS.ProcessEnv): string => {
    try {
      loadConfig(env, tmp());
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error(`expected ${JSON.stringify(env)} to be refused`);
  };

  // One line each: the setting as written, its value, and what is expected; never a stack or a bare "Invalid input".
  test.each([
    ['PORT that is not a number', { PORT: 'abc' }, 'PORT="abc": expected a whole number from 0 to 65535'],
    ['PORT out of range', { PORT: '70000' }, 'PORT="70000": expected a whole number from 0 to 65535'],
    ['a number in exponent notation', { OPENTIME_FRESHNESS_MS: '1e3' }, 'OPENTIME_FRESHNESS_MS="1e3": expected a whole number from 0 to 60000'],
    ['a boolean that is no boolean', { OPENTIME_DEMO: 'maybe' }, 'OPENTIME_DEMO="maybe": expected true or false (or 1/0, yes/no, on/off)'],
    [
      'OPENTIME_TRUST_PROXY that is no proxy setting',
      { OPENTIME_TRUST_PROXY: 'banana' },
      'OPENTIME_TRUST_PROXY="banana": expected true, false, a hop count, or a comma-separated list of IP addresses/CIDR ranges or the names loopback, linklocal, uniquelocal',
    ],
    [
      'OPENTIME_TRUST_PROXY with one bad entry in a list',
      { OPENTIME_TRUST_PROXY: 'loopback, 10.0.0.0/33' },
      'OPENTIME_TRUST_PROXY="loopback, 10.0.0.0/33": expected true, false, a hop count, or a comma-separated list of IP addresses/CIDR ranges or the names loopback, linklocal, uniquelocal',
    ],
    [
      'OPENTIME_IMAGE_HOSTS given a URL',
      { OPENTIME_IMAGE_HOSTS: 'http://cdn.x.com/' },
      'OPENTIME_IMAGE_HOSTS="http://cdn.x.com/": expected host names such as cdn.shop.example, *.shop.example or *, comma-separated ("http://cdn.x.com/" is a URL, its host is cdn.x.com)',
    ],
    ['OPENTIME_PUBLIC_URL without a scheme', { OPENTIME_PUBLIC_URL: 'opentime.shop.example' }, 'OPENTIME_PUBLIC_URL="opentime.shop.example": expected an http(s) URL such as https://opentime.shop.example'],
  ])('%s', (_name, env, message) => {
    expect(problemWith(env)).toBe(message);
  });

  test('a secret that is refused is not repeated in the message', () => {
    const secret = 'tooshort-secret';
    const message = problemWith({ OPENTIME_WEBHOOK_SECRET: secret });
    expect(message).toBe('OPENTIME_WEBHOOK_SECRET=(15 characters, not shown): expected at least 16 characters (e.g. `openssl rand -hex 32`)');
    expect(message).not.toContain(secret);
  });

  test('booleans take the usual spellings, in any case', () => {
    for (const [spelling, value] of [['no', false], ['Off', false], ['0', false], ['FALSE', false], ['yes', true], ['on', true], ['1', true], ['True', true]] as const) {
      expect([spelling, loadConfig({ OPENTIME_DEMO: spelling, OPENTIME_IMAGE_ALLOW_PRIVATE: spelling }, tmp())]).toMatchObject([spelling, { demo: value, imageAllowPrivate: value }]);
    }
  });

  test('OPENTIME_TRUST_PROXY: hop counts, booleans and address lists are kept as Express takes them', () => {
    expect(loadConfig({ OPENTIME_TRUST_PROXY: '1' }, tmp()).trustProxy).toBe(1);
    expect(loadConfig({ OPENTIME_TRUST_PROXY: 'true' }, tmp()).trustProxy).toBe(true);
    expect(loadConfig({ OPENTIME_TRUST_PROXY: 'loopback, 10.0.0.0/8' }, tmp()).trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(loadConfig({}, tmp()).trustProxy).toBe(false);
  });

  test('OPENTIME_IMAGE_HOSTS takes names, wildcards and addresses', () => {
    expect(loadConfig({ OPENTIME_IMAGE_HOSTS: 'cdn.shop.example, *.shop.example, 127.0.0.1' }, tmp()).imageHosts).toEqual(['cdn.shop.example', '*.shop.example', '127.0.0.1']);
  });

  test('every problem is reported, one line each', () => {
    expect(problemWith({ PORT: 'abc', OPENTIME_DEMO: 'maybe' }).split('\n')).toEqual([
      'PORT="abc": expected a whole number from 0 to 65535',
      'OPENTIME_DEMO="maybe": expected true or false (or 1/0, yes/no, on/off)',
    ]);
  });

  describe('demo mode never runs beside configured keys', () => {
    const signingKeys = `prod:${Buffer.alloc(32, 9).toString('base64')}`;
    const apiKeys = `crm:products:write:${'a'.repeat(64)}`;

    test('configured signing or API keys turn it off by default', () => {
      expect(loadConfig({}, tmp()).demo).toBe(true);
      expect(loadConfig({ OPENTIME_SIGNING_KEYS: signingKeys }, tmp()).demo).toBe(false);
      expect(loadConfig({ OPENTIME_API_KEYS: apiKeys }, tmp()).demo).toBe(false);
    });

    test('asking for it beside keys is refused, naming both and why, without the keys', () => {
      const message = problemWith({ OPENTIME_DEMO: '1', OPENTIME_SIGNING_KEYS: signingKeys, OPENTIME_API_KEYS: apiKeys });
      expect(message).toMatch(/^OPENTIME_DEMO="1": expected false or unset while OPENTIME_SIGNING_KEYS and OPENTIME_API_KEYS are set \(demo mode would add an all-scopes demo API key and print sample tokens signed with your key\)/);
      expect(message.split('\n')).toHaveLength(1);
      expect(message).not.toContain(signingKeys.split(':')[1]);
      expect(problemWith({ OPENTIME_DEMO: 'true', OPENTIME_API_KEYS: apiKeys })).toMatch(/^OPENTIME_DEMO="true": expected false or unset while OPENTIME_API_KEYS is set/);
    });
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
