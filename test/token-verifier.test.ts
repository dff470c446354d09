import { TokenExpiredError, TokenSignatureError } from '../src/tokens/errors';
import { signSubscriberToken } from '../src/tokens/subscriber-token';
import { createTokenVerifier } from '../src/tokens/token-verifier';
import { testKeyring } from './helpers/app-fixture';

describe('verified-token cache', () => {
  const now = new Date('2026-11-22T10:00:00Z');
  const token = signSubscriberToken(testKeyring, { subscriberId: 's1', campaignId: 'c1' }, { audience: 'a', now, ttlSeconds: 60 });

  test('a cached token still expires on time', () => {
    const verify = createTokenVerifier(testKeyring, 'a');
    expect(verify(token, now).subscriberId).toBe('s1');
    expect(verify(token, new Date(now.getTime() + 59_000)).subscriberId).toBe('s1');
    expect(() => verify(token, new Date(now.getTime() + 60_000))).toThrow(TokenExpiredError);
  });

  test('a token differing in one signature character is verified in full, not served from the cache', () => {
    const verify = createTokenVerifier(testKeyring, 'a');
    verify(token, now);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    expect(() => verify(tampered, now)).toThrow(TokenSignatureError);
  });
});
