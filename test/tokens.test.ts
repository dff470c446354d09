import { createHmac, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { loadOrCreateDemoKeys, DEMO_KEYS_FILE } from '../src/tokens/demo-keys';
import { TokenError, TokenExpiredError, type TokenErrorReason } from '../src/tokens/errors';
import { Keyring, parseSigningKeys, type SigningKey } from '../src/tokens/keyring';
import {
  DEFAULT_TTL_SECONDS,
  signSubscriberToken,
  verifySubscriberToken,
  type SubscriberTokenSubject,
} from '../src/tokens/subscriber-token';
import { parseTtl } from '../src/tokens/ttl';

const AUD = 'https://opentime.example';
const NOW = new Date('2025-03-01T12:00:00.000Z');
const SUBJECT = { subscriberId: 'ada@example.com', campaignId: 'spring-sale' };

const OLD_KEY: SigningKey = { kid: 'k2024', secret: Buffer.alloc(32, 1).toString('base64url') };
const NEW_KEY: SigningKey = { kid: 'k2025', secret: Buffer.alloc(48, 2).toString('base64') };

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const part = (token: string, index: number): string => {
  const value = token.split('.')[index];
  if (value === undefined) throw new Error(`token has no part ${index}`);
  return value;
};
const decodePart = (token: string, index: number): Record<string, unknown> =>
  JSON.parse(Buffer.from(part(token, index), 'base64url').toString('utf8')) as Record<string, unknown>;

/** Signs by hand so tests can build payloads jsonwebtoken itself would refuse to sign. */
function signRaw(header: unknown, payload: unknown, key: KeyObject): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

const oldKeyring = () => new Keyring({ keys: [OLD_KEY], activeKid: OLD_KEY.kid });
const rotatedKeyring = () => new Keyring({ keys: [OLD_KEY, NEW_KEY], activeKid: NEW_KEY.kid });

/** Runs verify, asserting it throws a TokenError, and returns that error. */
function refusal(keyring: Keyring, token: string | undefined, now: Date = NOW): TokenError {
  try {
    verifySubscriberToken(keyring, token, { audience: AUD, now });
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    const tokenError = error as TokenError;
    // Messages end up in logs: they must not quote the token or the subscriber.
    if (token) expect(tokenError.message).not.toContain(token);
    expect(tokenError.message).not.toContain(SUBJECT.subscriberId);
    return tokenError;
  }
  throw new Error('expected verifySubscriberToken to throw');
}

function expectRefused(keyring: Keyring, token: string | undefined, reason: TokenErrorReason): TokenError {
  const error = refusal(keyring, token);
  expect(error.reason).toBe(reason);
  return error;
}

describe('signSubscriberToken / verifySubscriberToken', () => {
  it('round-trips the subscriber and campaign ids', () => {
    const keyring = oldKeyring();
    const token = signSubscriberToken(keyring, SUBJECT, { audience: AUD, now: NOW, ttlSeconds: 3600 });
    expect(verifySubscriberToken(keyring, token, { audience: AUD, now: NOW })).toEqual({
      subscriberId: 'ada@example.com',
      campaignId: 'spring-sale',
      issuedAt: new Date('2025-03-01T12:00:00.000Z'),
      expiresAt: new Date('2025-03-01T13:00:00.000Z'),
    });
  });

  it('signs with HS256 and names the active key in the header', () => {
    const token = signSubscriberToken(oldKeyring(), SUBJECT, { audience: AUD, now: NOW });
    expect(decodePart(token, 0)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k2024' });
  });

  it('puts exactly sub, cmp, iat, exp and aud in the payload, even when handed personal data', () => {
    const withPersonalData = { ...SUBJECT, firstName: 'Ada', email: 'ada@example.com' } as SubscriberTokenSubject;
    const token = signSubscriberToken(oldKeyring(), withPersonalData, { audience: AUD, now: NOW });
    const payload = decodePart(token, 1);
    expect(Object.keys(payload).sort()).toEqual(['aud', 'cmp', 'exp', 'iat', 'sub']);
    expect(payload).toEqual({ sub: 'ada@example.com', cmp: 'spring-sale', iat: 1740830400, exp: 1740830400 + DEFAULT_TTL_SECONDS, aud: AUD });
    expect(JSON.stringify(payload)).not.toContain('Ada');
  });

  it('expires after 31 days by default', () => {
    expect(DEFAULT_TTL_SECONDS).toBe(31 * 24 * 60 * 60);
    const keyring = oldKeyring();
    const token = signSubscriberToken(keyring, SUBJECT, { audience: AUD, now: NOW });
    const claims = verifySubscriberToken(keyring, token, { audience: AUD, now: NOW });
    expect(claims.expiresAt).toEqual(new Date('2025-04-01T12:00:00.000Z'));
  });

  it('accepts a token until its exp second and refuses it from then on', () => {
    const keyring = oldKeyring();
    const token = signSubscriberToken(keyring, SUBJECT, { audience: AUD, now: NOW, ttlSeconds: 60 });
    const expiry = new Date('2025-03-01T12:01:00.000Z');

    const justBefore = new Date(expiry.getTime() - 1000);
    expect(verifySubscriberToken(keyring, token, { audience: AUD, now: justBefore }).subscriberId).toBe('ada@example.com');

    const error = refusal(keyring, token, expiry);
    expect(error).toBeInstanceOf(TokenExpiredError);
    expect(error.reason).toBe('expired');
    expect((error as TokenExpiredError).expiredAt).toEqual(expiry);
    expect(error.message).toContain('2025-03-01T12:01:00.000Z');
  });

  describe('with fake timers', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('uses Date.now when no clock is passed', () => {
      const keyring = oldKeyring();
      jest.useFakeTimers().setSystemTime(NOW);
      const token = signSubscriberToken(keyring, SUBJECT, { audience: AUD, ttlSeconds: 60 });
      expect(decodePart(token, 1).iat).toBe(1740830400);

      jest.setSystemTime(new Date('2025-03-01T12:00:59.000Z'));
      expect(verifySubscriberToken(keyring, token, { audience: AUD }).campaignId).toBe('spring-sale');

      jest.setSystemTime(new Date('2025-03-01T12:01:00.000Z'));
      expect(() => verifySubscriberToken(keyring, token, { audience: AUD })).toThrow(TokenExpiredError);
    });
  });

  describe('key rotation', () => {
    it('still verifies tokens signed with the previous key', () => {
      const oldToken = signSubscriberToken(oldKeyring(), SUBJECT, { audience: AUD, now: NOW });
      expect(verifySubscriberToken(rotatedKeyring(), oldToken, { audience: AUD, now: NOW }).subscriberId).toBe(
        'ada@example.com',
      );
    });

    it('signs new tokens with the new active key', () => {
      const keyring = rotatedKeyring();
      const newToken = signSubscriberToken(keyring, SUBJECT, { audience: AUD, now: NOW });
      expect(decodePart(newToken, 0).kid).toBe('k2025');
      expect(verifySubscriberToken(keyring, newToken, { audience: AUD, now: NOW }).campaignId).toBe('spring-sale');
    });

    it('refuses old tokens once the old key is removed', () => {
      const oldToken = signSubscriberToken(oldKeyring(), SUBJECT, { audience: AUD, now: NOW });
      const newOnly = new Keyring({ keys: [NEW_KEY], activeKid: NEW_KEY.kid });
      const error = expectRefused(newOnly, oldToken, 'unknown_key');
      expect(error).toMatchObject({ kid: 'k2024' });
    });
  });

  describe('forgeries', () => {
    it('refuses a payload changed after signing', () => {
      const keyring = oldKeyring();
      const token = signSubscriberToken(keyring, SUBJECT, { audience: AUD, now: NOW });
      const forgedPayload = b64url({ ...decodePart(token, 1), sub: 'someone-else' });
      expectRefused(keyring, `${part(token, 0)}.${forgedPayload}.${part(token, 2)}`, 'bad_signature');
    });

    it('refuses a token signed with another secret under a known kid', () => {
      const impostor = new Keyring({ keys: [{ kid: OLD_KEY.kid, secret: Buffer.alloc(32, 9).toString('base64url') }], activeKid: OLD_KEY.kid });
      const token = signSubscriberToken(impostor, SUBJECT, { audience: AUD, now: NOW });
      expectRefused(oldKeyring(), token, 'bad_signature');
    });

    it('refuses alg "none" before looking at the signature', () => {
      const keyring = oldKeyring();
      const real = signSubscriberToken(keyring, SUBJECT, { audience: AUD, now: NOW });
      const header = b64url({ alg: 'none', typ: 'JWT', kid: 'k2024' });
      const unsigned = `${header}.${part(real, 1)}.`;
      const error = expectRefused(keyring, unsigned, 'wrong_algorithm');
      expect(error).toMatchObject({ algorithm: 'none' });
      expectRefused(keyring, `${header}.${part(real, 1)}.${part(real, 2)}`, 'wrong_algorithm');
    });

    it('refuses a header without alg', () => {
      const keyring = oldKeyring();
      const real = signSubscriberToken(keyring, SUBJECT, { audience: AUD, now: NOW });
      const header = b64url({ typ: 'JWT', kid: 'k2024' });
      expectRefused(keyring, `${header}.${part(real, 1)}.${part(real, 2)}`, 'wrong_algorithm');
    });

    it('refuses an RS256 header (algorithm confusion)', () => {
      const keyring = oldKeyring();
      const real = signSubscriberToken(keyring, SUBJECT, { audience: AUD, now: NOW });
      const header = b64url({ alg: 'RS256', typ: 'JWT', kid: 'k2024' });
      const error = expectRefused(keyring, `${header}.${part(real, 1)}.${part(real, 2)}`, 'wrong_algorithm');
      expect(error.message).toContain('Expected HS256');
    });

    it('refuses a correctly signed HS512 token', () => {
      const keyring = oldKeyring();
      const payload = { sub: 'ada@example.com', cmp: 'spring-sale', iat: 1740830400, exp: 1740834000, aud: AUD };
      const hs512 = jwt.sign(payload, keyring.active().key, { algorithm: 'HS512', keyid: 'k2024' });
      expect(jwt.verify(hs512, keyring.active().key, { clockTimestamp: 1740830400 })).toMatchObject({ sub: 'ada@example.com' });
      expectRefused(keyring, hs512, 'wrong_algorithm');
    });

    it('refuses a token without a kid as an unknown key', () => {
      const keyring = oldKeyring();
      const noKid = jwt.sign({ sub: 's', cmp: 'c', iat: 1740830400, exp: 1740834000, aud: AUD }, keyring.active().key, {
        algorithm: 'HS256',
      });
      expectRefused(keyring, noKid, 'unknown_key');
    });
  });

  it('refuses a token minted for another audience', () => {
    const keyring = oldKeyring();
    const token = signSubscriberToken(keyring, SUBJECT, { audience: 'https://other.example', now: NOW });
    const error = expectRefused(keyring, token, 'wrong_audience');
    expect(error.message).toContain(`Expected audience "${AUD}"`);
  });

  it('reports a missing token', () => {
    expectRefused(oldKeyring(), undefined, 'missing');
    expectRefused(oldKeyring(), '', 'missing');
  });

  it.each([
    ['one part', 'abc'],
    ['two parts', 'a.b'],
    ['garbage in three parts', 'a.b.c'],
    ['non-base64 characters', '!!!.@@@.###'],
    ['four parts', 'a.b.c.d'],
    ['a header that is a JSON array', `${b64url([1])}.${b64url({})}.sig`],
    ['a header that is JSON null', `${b64url(null)}.${b64url({})}.sig`],
    ['a huge token', `${b64url({ alg: 'HS256', kid: 'k2024' })}.${'A'.repeat(5000)}.sig`],
  ])('refuses %s as malformed', (_label, token) => {
    expectRefused(oldKeyring(), token, 'malformed');
  });

  it('verifies a hand-signed valid payload (so the malformed cases below fail for their own reason)', () => {
    const keyring = oldKeyring();
    const payload = { sub: 's', cmp: 'c', iat: 1740830400, exp: 1740834000, aud: AUD };
    const token = signRaw({ alg: 'HS256', typ: 'JWT', kid: 'k2024' }, payload, keyring.active().key);
    expect(verifySubscriberToken(keyring, token, { audience: AUD, now: NOW })).toMatchObject({ subscriberId: 's', campaignId: 'c' });
  });

  it.each([
    ['without exp', { sub: 's', cmp: 'c', iat: 1740830400, aud: AUD }],
    ['without sub', { cmp: 'c', iat: 1740830400, exp: 1740834000, aud: AUD }],
    ['with a numeric cmp', { sub: 's', cmp: 7, iat: 1740830400, exp: 1740834000, aud: AUD }],
    ['with a string exp', { sub: 's', cmp: 'c', iat: 1740830400, exp: 'later', aud: AUD }],
  ])('refuses a correctly signed payload %s as malformed', (_label, payload) => {
    const keyring = oldKeyring();
    const token = signRaw({ alg: 'HS256', typ: 'JWT', kid: 'k2024' }, payload, keyring.active().key);
    expectRefused(keyring, token, 'malformed');
  });

  it.each([
    ['an empty subscriber id', { subscriberId: '', campaignId: 'c' }, /Invalid subscriber id: expected a non-empty string of at most 128 characters; received 0 characters\./],
    ['a 129-character campaign id', { subscriberId: 's', campaignId: 'x'.repeat(129) }, /Invalid campaign id: .*received 129 characters\./],
  ])('refuses to sign %s', (_label, subject, message) => {
    expect(() => signSubscriberToken(oldKeyring(), subject, { audience: AUD, now: NOW })).toThrow(message);
  });

  it('accepts ids of exactly 128 characters', () => {
    const keyring = oldKeyring();
    const subject = { subscriberId: 's'.repeat(128), campaignId: 'c'.repeat(128) };
    const token = signSubscriberToken(keyring, subject, { audience: AUD, now: NOW });
    expect(verifySubscriberToken(keyring, token, { audience: AUD, now: NOW }).subscriberId).toBe('s'.repeat(128));
  });

  it('refuses to sign with a non-positive TTL', () => {
    expect(() => signSubscriberToken(oldKeyring(), SUBJECT, { audience: AUD, now: NOW, ttlSeconds: 0 })).toThrow(
      'Invalid token TTL: expected a positive whole number of seconds; received 0.',
    );
  });
});

describe('Keyring', () => {
  it('builds secret KeyObjects once and exposes the active one', () => {
    const keyring = rotatedKeyring();
    expect(keyring.activeKid).toBe('k2025');
    const active = keyring.active();
    expect(active.kid).toBe('k2025');
    expect(active.key.type).toBe('secret');
    expect(active.key.symmetricKeySize).toBe(48);
    expect(keyring.get('k2024')?.symmetricKeySize).toBe(32);
    expect(keyring.get('k2024')).toBe(keyring.get('k2024'));
    expect(keyring.get('nope')).toBeUndefined();
  });

  it('rejects a short secret without echoing it', () => {
    const secret = Buffer.alloc(16, 3).toString('base64url');
    const build = () => new Keyring({ keys: [{ kid: 'short', secret }], activeKid: 'short' });
    expect(build).toThrow(/^Signing key "short" has a secret of 16 bytes\. Expected base64url or base64 text encoding at least 32 random bytes/);
    expect(() => build()).not.toThrow(secret);
  });

  it('rejects a secret that is not base64 text', () => {
    const build = () => new Keyring({ keys: [{ kid: 'k', secret: 'correct horse battery staple, really long one' }], activeKid: 'k' });
    expect(build).toThrow('Signing key "k" has a secret that is not base64url or base64 text.');
  });

  it('rejects duplicate kids', () => {
    expect(() => new Keyring({ keys: [OLD_KEY, { ...NEW_KEY, kid: OLD_KEY.kid }], activeKid: OLD_KEY.kid })).toThrow(
      'Duplicate key id "k2024". Expected every signing key to have its own kid.',
    );
  });

  it('rejects an active kid that is not in the keyring', () => {
    expect(() => new Keyring({ keys: [OLD_KEY, NEW_KEY], activeKid: 'k2026' })).toThrow(
      'Active key id "k2026" is not in the keyring. Expected one of: "k2024", "k2025".',
    );
  });

  it('rejects an empty keyring', () => {
    expect(() => new Keyring({ keys: [], activeKid: 'k' })).toThrow('No signing keys. Expected at least one key');
  });

  it('rejects kids outside [A-Za-z0-9_-]{1,64}', () => {
    expect(() => new Keyring({ keys: [{ kid: 'has space', secret: OLD_KEY.secret }], activeKid: 'has space' })).toThrow(
      'Invalid key id at position 1: expected 1 to 64 letters, digits, "_" or "-"; received "has space".',
    );
    const long = 'k'.repeat(65);
    expect(() => new Keyring({ keys: [{ kid: long, secret: OLD_KEY.secret }], activeKid: long })).toThrow('Invalid key id at position 1');
    const max = 'k'.repeat(64);
    expect(new Keyring({ keys: [{ kid: max, secret: OLD_KEY.secret }], activeKid: max }).activeKid).toBe(max);
  });
});

describe('parseSigningKeys', () => {
  it('parses comma-separated kid:secret pairs, tolerating spaces', () => {
    expect(parseSigningKeys(` k2025:${NEW_KEY.secret} ,k2024:${OLD_KEY.secret}\n`)).toEqual([
      { kid: 'k2025', secret: NEW_KEY.secret },
      { kid: 'k2024', secret: OLD_KEY.secret },
    ]);
  });

  it.each([
    ['an empty value', '  ', /^No signing keys\. Expected "kid:secret" pairs .*received an empty value\.$/],
    ['an entry without a colon', `k1:${OLD_KEY.secret},k2`, /^Signing key entry 2 has no ":"\. Expected "kid:secret" pairs/],
    ['a trailing comma', `k1:${OLD_KEY.secret},`, /^Signing key entry 2 is empty \(check for a doubled or trailing comma\)/],
    ['a missing kid', `:${OLD_KEY.secret}`, /^Signing key entry 1 has no key id before ":"/],
    ['a missing secret', 'k1:', /^Signing key entry 1 has no secret after ":"/],
    ['a bad kid', `k.1:${OLD_KEY.secret}`, /^Invalid key id in signing key entry 1: expected 1 to 64 letters/],
    ['a short secret', 'k1:c2hvcnQ', /^Signing key "k1" has a secret of 5 bytes\./],
    ['a duplicate kid', `k1:${OLD_KEY.secret},k1:${NEW_KEY.secret}`, /^Duplicate key id "k1"/],
  ])('rejects %s', (_label, text, message) => {
    let thrown: unknown;
    try {
      parseSigningKeys(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain(OLD_KEY.secret);
    expect((thrown as Error).message).not.toContain(NEW_KEY.secret);
  });
});

describe('parseTtl', () => {
  it.each([
    ['31d', 31 * 86400],
    ['12h', 12 * 3600],
    ['90m', 5400],
    ['45s', 45],
    ['2w', 14 * 86400],
    ['3600', 3600],
    [' 7d ', 7 * 86400],
    ['400d', 400 * 86400],
  ])('parses %j as %d seconds', (text, seconds) => {
    expect(parseTtl(text)).toBe(seconds);
  });

  it.each([
    ['abc', 'Invalid TTL "abc". Expected a number followed by s, m, h, d or w, e.g. 31d.'],
    ['', 'Invalid TTL "". Expected a number followed by s, m, h, d or w, e.g. 31d.'],
    ['1.5h', 'Invalid TTL "1.5h". Expected a number followed by s, m, h, d or w, e.g. 31d.'],
    ['-5s', 'Invalid TTL "-5s". Expected a number followed by s, m, h, d or w, e.g. 31d.'],
    ['3y', 'Invalid TTL "3y". Expected a number followed by s, m, h, d or w, e.g. 31d.'],
    ['0', 'Invalid TTL "0". Expected a positive duration, e.g. 31d.'],
    ['0d', 'Invalid TTL "0d". Expected a positive duration, e.g. 31d.'],
    ['401d', 'TTL "401d" is too long. Expected at most 400d (34560000 seconds).'],
    ['58w', 'TTL "58w" is too long. Expected at most 400d (34560000 seconds).'],
  ])('rejects %j', (text, message) => {
    expect(() => parseTtl(text)).toThrow(new Error(message));
  });
});

describe('loadOrCreateDemoKeys', () => {
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-tokens-'));
  });

  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('creates keys once, with mode 0600, and reuses them afterwards', () => {
    const dataDir = path.join(tmp, 'nested', 'data');
    const first = loadOrCreateDemoKeys(dataDir);
    expect(first.activeKid).toMatch(/^demo-[0-9a-f]{8}$/);
    expect(first.keys).toHaveLength(1);
    expect(first.keys[0]?.kid).toBe(first.activeKid);
    expect(Buffer.from(first.keys[0]?.secret ?? '', 'base64url')).toHaveLength(32);

    const file = path.join(dataDir, DEMO_KEYS_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(first);
    expect(fs.readdirSync(dataDir)).toEqual([DEMO_KEYS_FILE]);

    const second = loadOrCreateDemoKeys(dataDir);
    expect(second).toEqual(first);

    // Tokens minted by one process verify in another that loads the same directory.
    const token = signSubscriberToken(new Keyring(first), SUBJECT, { audience: AUD, now: NOW });
    expect(verifySubscriberToken(new Keyring(second), token, { audience: AUD, now: NOW }).subscriberId).toBe('ada@example.com');
  });

  it('creates different keys in different directories', () => {
    const a = loadOrCreateDemoKeys(path.join(tmp, 'a'));
    const b = loadOrCreateDemoKeys(path.join(tmp, 'b'));
    expect(a.keys[0]?.secret).not.toBe(b.keys[0]?.secret);
  });

  it('names the file when it is not JSON', () => {
    const file = path.join(tmp, DEMO_KEYS_FILE);
    fs.writeFileSync(file, '{ not json');
    expect(() => loadOrCreateDemoKeys(tmp)).toThrow(`Invalid signing keys file ${file}: not valid JSON. Expected {"activeKid"`);
    expect(fs.readFileSync(file, 'utf8')).toBe('{ not json');
  });

  it('names the file when its shape is wrong', () => {
    const file = path.join(tmp, DEMO_KEYS_FILE);
    fs.writeFileSync(file, JSON.stringify({ activeKid: 'k', keys: [{ kid: 'k' }] }));
    expect(() => loadOrCreateDemoKeys(tmp)).toThrow(
      `Invalid signing keys file ${file}: keys[0] is not an object with string "kid" and "secret".`,
    );
  });

  it('names the file when a key is too weak', () => {
    const file = path.join(tmp, DEMO_KEYS_FILE);
    fs.writeFileSync(file, JSON.stringify({ activeKid: 'k', keys: [{ kid: 'k', secret: 'c2hvcnQ' }] }));
    expect(() => loadOrCreateDemoKeys(tmp)).toThrow(`Invalid signing keys file ${file}: Signing key "k" has a secret of 5 bytes.`);
  });
});
