import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCanvas } from '@napi-rs/canvas';
import { encodeCanvasPng } from '../src/render/encode';
import { createImageLoader, hostAllowed, isPublicAddress, type ImageLoader, type ImageLoaderOptions } from '../src/render/image-loader';

/** A loopback image host that counts requests per path. */
async function startHost() {
  const small = createCanvas(40, 20);
  small.getContext('2d').fillRect(0, 0, 40, 20);
  const big = createCanvas(3000, 100);
  big.getContext('2d').fillRect(0, 0, 3000, 100);
  const pngs: Record<string, Buffer> = { '/ok.png': await encodeCanvasPng(small), '/big.png': await encodeCanvasPng(big) };
  const hits: Record<string, number> = {};
  const hanging: http.ServerResponse[] = [];
  let port = 0;
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits[path] = (hits[path] ?? 0) + 1;
    const route = path.split('?')[0] as string;
    const png = pngs[route];
    if (png) return void res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    if (route === '/slow.png') return void setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end(pngs['/ok.png']), 150);
    if (route === '/hang.png') return void hanging.push(res);
    if (route === '/error.png') return void res.writeHead(500).end('boom');
    if (route === '/page.png') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not an image</html>');
    if (route === '/same-host-redirect.png') return void res.writeHead(302, { location: '/ok.png' }).end();
    if (route === '/other-host-redirect.png') return void res.writeHead(302, { location: `http://localhost:${port}/ok.png` }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let host: Awaited<ReturnType<typeof startHost>>;
const loaders: ImageLoader[] = [];
const loader = (options: ImageLoaderOptions = {}): ImageLoader => {
  const created = createImageLoader({ allowedHosts: ['127.0.0.1'], allowPrivateAddresses: true, timeoutMs: 300, ...options });
  loaders.push(created);
  return created;
};

beforeAll(async () => {
  host = await startHost();
});
afterEach(() => {
  for (const created of loaders.splice(0)) created.close();
});
afterAll(() => host.close());

describe('SSRF guard', () => {
  it('refuses loopback addresses by default, without connecting', async () => {
    const images = loader({ allowPrivateAddresses: undefined });
    expect(await images.load(host.url('/ok.png?loopback'))).toBeNull();
    expect(host.hits['/ok.png?loopback']).toBeUndefined();
  });

  it('refuses a host name that resolves to a loopback address', async () => {
    const images = loader({ allowedHosts: ['localhost'], allowPrivateAddresses: undefined });
    expect(await images.load(`http://localhost:${host.port}/ok.png?by-name`)).toBeNull();
    expect(host.hits['/ok.png?by-name']).toBeUndefined();
  });

  it('refuses hosts that are not on the allowlist, and has no remote host by default', async () => {
    expect(await loader({ allowedHosts: ['cdn.shop.example'] }).load(host.url('/ok.png?not-listed'))).toBeNull();
    expect(await loader({ allowedHosts: undefined }).load(host.url('/ok.png?default'))).toBeNull();
    expect(host.hits['/ok.png?not-listed']).toBeUndefined();
    expect(host.hits['/ok.png?default']).toBeUndefined();
  });

  it('does not follow a redirect to another host', async () => {
    const images = loader({ allowedHosts: ['127.0.0.1', 'localhost'] });
    expect(await images.load(host.url('/other-host-redirect.png'))).toBeNull();
    expect(host.hits['/other-host-redirect.png']).toBe(1);
  });

  it.each([
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.1.10', false],
    ['169.254.169.254', false], // cloud metadata
    ['100.64.0.1', false], // carrier-grade NAT
    ['0.0.0.0', false],
    ['::1', false],
    ['fe80::1', false],
    ['fd00::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['64:ff9b::a00:1', false], // NAT64 of 10.0.0.1
    ['8.8.8.8', true],
    ['151.101.1.69', true],
    ['2606:4700:4700::1111', true],
    ['not an address', false],
  ])('isPublicAddress(%s) is %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it.each([
    ['cdn.shop.example', ['cdn.shop.example'], true],
    ['CDN.Shop.Example.', ['cdn.shop.example'], true],
    ['img.shop.example', ['*.shop.example'], true],
    ['shop.example', ['*.shop.example'], false],
    ['evilshop.example', ['*.shop.example'], false],
    ['cdn.shop.example.evil.test', ['cdn.shop.example'], false],
    ['anything.test', ['*'], true],
    ['anything.test', [], false],
  ])('hostAllowed(%s, %j) is %s', (hostname, list, expected) => {
    expect(hostAllowed(hostname, list)).toBe(expected);
  });
});

describe('loading', () => {
  it('decodes an allowed picture and serves it from the cache afterwards', async () => {
    const images = loader();
    const image = await images.load(host.url('/ok.png'));
    expect([image?.width, image?.height]).toEqual([40, 20]);
    expect(await images.load(host.url('/ok.png'))).toBe(image);
    expect(host.hits['/ok.png']).toBe(1);
    expect(images.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('fetches a picture once however many renders ask for it at the same time', async () => {
    const images = loader();
    const results = await Promise.all(Array.from({ length: 20 }, () => images.load(host.url('/slow.png'))));
    expect(host.hits['/slow.png']).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[0]?.width).toBe(40);
    expect(images.stats()).toMatchObject({ misses: 1, joined: 19 });
  });

  it('maps a failing host to null and does not ask it again while the failure is remembered', async () => {
    const images = loader();
    expect(await images.load(host.url('/error.png'))).toBeNull();
    expect(await images.load(host.url('/error.png'))).toBeNull();
    expect(host.hits['/error.png']).toBe(1);
  });

  it('gives up waiting on a host that hangs after the timeout', async () => {
    const images = loader({ timeoutMs: 100 });
    const started = Date.now();
    expect(await images.load(host.url('/hang.png'))).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a response that is not an image, and one over the size limit', async () => {
    expect(await loader().load(host.url('/page.png'))).toBeNull();
    expect(await loader({ maxBytes: 50 }).load(host.url('/ok.png?too-big'))).toBeNull();
  });

  it('connects by host name through the guarded lookup when private addresses are allowed', async () => {
    const image = await loader({ allowedHosts: ['localhost'] }).load(`http://localhost:${host.port}/ok.png?by-name-allowed`);
    expect(image?.width).toBe(40);
    expect(host.hits['/ok.png?by-name-allowed']).toBe(1);
  });

  it('follows a redirect on the same host', async () => {
    const image = await loader().load(host.url('/same-host-redirect.png'));
    expect(image?.width).toBe(40);
  });

  it('scales very large pictures down once, at load', async () => {
    const image = await loader({ maxDimension: 600 }).load(host.url('/big.png'));
    expect([image?.width, image?.height]).toEqual([600, 20]);
  });

  it('draws its own demo pictures in-process, without any network', async () => {
    const images = loader({ allowedHosts: [], allowPrivateAddresses: false, publicUrl: 'https://opentime.invalid/' });
    const image = await images.load('https://opentime.invalid/demo/products/merino-crew-navy.png');
    expect([image?.width, image?.height]).toEqual([480, 480]);
    expect(await images.load('https://opentime.invalid/demo/products/no-such-product.png')).toBeNull();
    // Another server's demo path is just a host that is not allowed.
    expect(await images.load('https://elsewhere.invalid/demo/products/merino-crew-navy.png')).toBeNull();
  });

  it('loads many URLs at once into a map by URL', async () => {
    const images = loader();
    const map = await images.loadAll([host.url('/ok.png?a'), host.url('/error.png?b'), host.url('/ok.png?a')]);
    expect([...map.keys()]).toEqual([host.url('/ok.png?a'), host.url('/error.png?b')]);
    expect(map.get(host.url('/ok.png?a'))?.width).toBe(40);
    expect(map.get(host.url('/error.png?b'))).toBeNull();
  });

  it('answers without waiting only when every picture has settled', async () => {
    const images = loader();
    const ok = host.url('/ok.png?settled');
    const broken = host.url('/error.png?settled');
    expect(images.settledAll([ok, broken])).toBeUndefined();
    await images.loadAll([ok]);
    // One picture still unknown: the caller must wait for loadAll.
    expect(images.settledAll([ok, broken])).toBeUndefined();
    await images.loadAll([broken]);
    const settled = images.settledAll([ok, broken]);
    expect(settled?.get(ok)?.width).toBe(40);
    // A failure is remembered (failureTtlMs), so it settles as "no picture", not as "ask again".
    expect(settled?.has(broken)).toBe(true);
    expect(settled?.get(broken)).toBeNull();
  });
});
