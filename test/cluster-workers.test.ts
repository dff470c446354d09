import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { childPids, isAlive as alive, startServerProcess, type ServerProcess } from './helpers/processes';

/** One GET on a connection of its own: node:cluster hands each new connection to the next worker in turn. */
function getOnNewConnection(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { ...headers, connection: 'close' } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** Polls until `check` holds, at most `timeoutMs`: for process start-ups, which take as long as the machine needs. */
async function eventually(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('OPENTIME_WORKERS=2: two server processes on one port and one SQLite file', () => {
  let dataDir: string;
  let server: ServerProcess;
  let heroUrl: string;
  const amp = { 'AMP-Email-Sender': 'news@shop.example' };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-cluster-'));
    // Cached figures would live a minute: only the workers telling each other can make a write show at once.
    server = await startServerProcess({ OPENTIME_DATA_DIR: dataDir, OPENTIME_WORKERS: '2', OPENTIME_FRESHNESS_MS: '60000', OPENTIME_RENDER_THREADS: '1' });
    heroUrl = /curl -H 'AMP-Email-Sender: [^']+' '([^']*\/amp\/v1\/blocks\/hero-product[^']*)'/.exec(server.stdout())?.[1] as string;
  }, 60_000);
  afterAll(async () => {
    if (server.child.exitCode === null) await server.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('the banner is printed once, by the primary, with two workers behind it', async () => {
    expect(server.stdout().match(/Opentime is listening on/g)).toHaveLength(1);
    await eventually(() => childPids(server.child.pid as number).length === 2, 10_000);
  });

  test('a price written through one worker is what every worker answers next, though cached figures would live a minute', async () => {
    const priceOf = async (): Promise<string> => {
      const { status, body } = await getOnNewConnection(heroUrl, amp);
      expect(status).toBe(200);
      return String((JSON.parse(body) as { items: { product: { price: string } }[] }).items[0]?.product.price);
    };
    // Both workers cache the old price first.
    for (let i = 0; i < 6; i++) expect(await priceOf()).toBe('$131.00');
    const apiKey = fs.readFileSync(path.join(dataDir, 'demo-api-key.txt'), 'utf8').trim();
    const written = await fetch(`${server.url}/api/v1/products`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ products: [{ id: 'quilted-jacket-olive', prices: { USD: { price: 175, salePrice: 77 } } }] }),
    });
    expect(written.status).toBe(200);
    // The change reaches the other worker through the primary within a moment of the acknowledged write:
    // the first open or two may still race it, the rest must not.
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push(await priceOf());
    expect(seen.slice(-4)).toEqual(['$77.00', '$77.00', '$77.00', '$77.00']);
  });

  test('GET /metrics answers for the whole cluster, whichever worker takes the scrape', async () => {
    const rendersOf = (text: string): number =>
      [...text.matchAll(/^opentime_renders_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
    const before = rendersOf((await getOnNewConnection(`${server.url}/metrics`, {})).body);
    for (let i = 0; i < 6; i++) expect((await getOnNewConnection(heroUrl, amp)).status).toBe(200);
    // Consecutive scrapes land on different workers (connections go round the workers in turn): each sees all six.
    for (let i = 0; i < 2; i++) {
      const scrape = await getOnNewConnection(`${server.url}/metrics`, {});
      expect(scrape.status).toBe(200);
      expect(rendersOf(scrape.body) - before).toBe(6);
    }
  });

  test('a worker killed with SIGKILL is replaced, and opens are answered meanwhile', async () => {
    const primary = server.child.pid as number;
    const [victim] = childPids(primary);
    process.kill(victim as number, 'SIGKILL');
    await eventually(() => !alive(victim as number), 5000);
    for (let i = 0; i < 4; i++) expect((await getOnNewConnection(heroUrl, amp)).status).toBe(200);
    await eventually(() => childPids(primary).length === 2 && !childPids(primary).includes(victim as number), 30_000);
  });

  test('SIGTERM to the primary drains every worker and exits 0, leaving no process behind', async () => {
    const workers = childPids(server.child.pid as number);
    expect(await server.stop('SIGTERM')).toBe(0);
    for (const pid of workers) expect(alive(pid)).toBe(false);
  });
});
