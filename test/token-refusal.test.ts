import jwt from 'jsonwebtoken';
import { Keyring } from '../src/tokens/keyring';
import { signSubscriberToken } from '../src/tokens/subscriber-token';
import { AUDIENCE, createFixture, SENDER, testKeyring, type Fixture } from './helpers/app-fixture';
import { ampGet } from './helpers/amp-request';

/** The one answer every refused subscriber token gets, whatever was wrong with it (README, "Subscriber tokens"). */
const UNIFORM_401_BODY = {
  error: {
    code: 'token_invalid',
    message: 'The subscriber token is invalid or expired. Expected a token minted by `opentime token` for this server.',
  },
};

describe('a refused subscriber token on the amp-list endpoint', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  function tokensForEveryFailure(): Record<string, string> {
    const now = fixture.clock.now;
    const subject = { subscriberId: 'sub-emma', campaignId: 'flash-sale' };
    const [header, payload, signature] = fixture.token('sub-emma').split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'sub-lena' })).toString('base64url');
    const retiredKeyring = new Keyring({ keys: [{ kid: 'retired-2024', secret: Buffer.alloc(32, 9).toString('base64url') }], activeKid: 'retired-2024' });
    const secret = testKeyring.get('test-1');
    if (!secret) throw new Error('the fixture keyring lost its key');
    return {
      expired: fixture.token('sub-emma', 'flash-sale', { ttlSeconds: 60, now: new Date(now.getTime() - 120_000) }),
      bad_signature: `${header}.${forgedPayload}.${signature}`,
      unknown_key: signSubscriberToken(retiredKeyring, subject, { audience: AUDIENCE, now }),
      wrong_audience: signSubscriberToken(testKeyring, subject, { audience: 'someone-else', now }),
      wrong_algorithm: jwt.sign(claims, secret, { algorithm: 'HS512', keyid: 'test-1', noTimestamp: true }),
      malformed: 'garbage',
    };
  }

  test('every failure class answers the very same body, status and CORS grant; the reason is only logged', async () => {
    const tokens = tokensForEveryFailure();
    for (const [reason, token] of Object.entries(tokens)) {
      const response = await ampGet(fixture, 'picks', token);
      expect({ reason, status: response.status, body: response.body }).toEqual({ reason, status: 401, body: UNIFORM_401_BODY });
      expect(response.headers['amp-email-allow-sender']).toBe(SENDER);
      expect(response.headers['cache-control']).toBe('private, no-store');

      const refusals = fixture.logLines().filter((line) => line.includes('subscriber token refused') && line.includes(`"reason":"${reason}"`));
      expect({ reason, refusals: refusals.length }).toEqual({ reason, refusals: 1 });
    }
    const logged = fixture.logLines().join('\n');
    for (const token of Object.values(tokens)) expect(logged).not.toContain(token);
  });

  test('a token that verified once and has since expired gets the same body', async () => {
    const token = fixture.token('sub-emma', 'flash-sale', { ttlSeconds: 60 });
    expect((await ampGet(fixture, 'picks', token)).status).toBe(200);
    fixture.clock.now = new Date(fixture.clock.now.getTime() + 61_000);
    const response = await ampGet(fixture, 'picks', token);
    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNIFORM_401_BODY);
    expect(fixture.logLines().some((line) => line.includes('subscriber token refused') && line.includes('"reason":"expired"'))).toBe(true);
  });
});
