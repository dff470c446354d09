import http, { type IncomingMessage } from 'node:http';
import request from 'supertest';
import { clientAddressResolver, type TrustProxy } from '../src/http/client-address';

/** A server answering with the address the resolver computes for each request. */
function addressEcho(trust: TrustProxy | undefined): http.Server {
  const resolve = clientAddressResolver(trust);
  return http.createServer((req: IncomingMessage, res) => res.end(String(resolve(req))));
}

const forwarded = (trust: TrustProxy | undefined, chain: string) =>
  request(addressEcho(trust)).get('/').set('X-Forwarded-For', chain).then((response) => response.text);

describe('client address (OPENTIME_TRUST_PROXY, as Express reads "trust proxy")', () => {
  const chain = '17.58.1.1, 10.0.0.7';

  test('no setting, or false: the socket peer; X-Forwarded-For is ignored', async () => {
    expect(await forwarded(undefined, chain)).toMatch(/127\.0\.0\.1$/);
    expect(await forwarded(false, chain)).toMatch(/127\.0\.0\.1$/);
  });

  test('true: the left-most forwarded address', async () => {
    expect(await forwarded(true, chain)).toBe('17.58.1.1');
  });

  test('a hop count: that many proxies are trusted', async () => {
    expect(await forwarded(1, chain)).toBe('10.0.0.7');
    expect(await forwarded(2, chain)).toBe('17.58.1.1');
  });

  test('a list of addresses or ranges: only those proxies are trusted', async () => {
    expect(await forwarded('loopback, 10.0.0.0/8', chain)).toBe('17.58.1.1');
    expect(await forwarded('loopback', chain)).toBe('10.0.0.7');
    expect(await forwarded('192.168.0.0/16', chain)).toMatch(/127\.0\.0\.1$/);
  });
});
