import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, ROOT, runCli, startServerProcess, type ServerProcess } from './helpers/processes';

/** What a new user does from the README: start the demo, mint a token with the CLI, call the server. */
describe('server and CLI as separate processes', () => {
  let dataDir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-e2e-'));
    server = await startServerProcess({ OPENTIME_DATA_DIR: dataDir });
  });
  afterAll(async () => {
    if (server.child.exitCode === null) await server.stop();
  });

  test('first start seeds the SQLite file and prints sample URLs that work at once', async () => {
    expect(fs.existsSync(path.join(dataDir, 'opentime.db'))).toBe(true);
    const commands = [...server.stdout().matchAll(/curl -H 'AMP-Email-Sender: ([^']+)' '([^']+)'/g)];
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const [, sender, url] of commands) {
      const response = await fetch(url as string, { headers: { 'AMP-Email-Sender': sender as string } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: { kind: string }[] };
      expect(body.items[0]?.kind).not.toBe('fallback');
    }
  });

  test('a token minted by `opentime token` verifies on the server', async () => {
    const minted = runCli(['token', '--subscriber', 'sub-camille', '--campaign', 'flash-sale', '--ttl', '2h'], { OPENTIME_DATA_DIR: dataDir });
    expect(minted.stderr).toBe('');
    expect(minted.status).toBe(0);
    const token = minted.stdout.trim();
    const response = await fetch(`${server.url}/amp/v1/blocks/loyalty-status?t=${token}`, { headers: { 'AMP-Email-Sender': 'news@shop.example' } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { items: { greeting: string }[] }).items[0]?.greeting).toBe('Bonjour Camille, vous êtes membre Bronze');
  });

  test('the CLI explains bad input instead of crashing', () => {
    const badTtl = runCli(['token', '--subscriber', 's', '--campaign', 'c', '--ttl', 'forever'], { OPENTIME_DATA_DIR: dataDir });
    expect(badTtl.status).not.toBe(0);
    expect(badTtl.stderr).toMatch(/Invalid TTL "forever"\. Expected a number followed by s, m, h, d or w/);
    const missing = runCli(['token', '--subscriber', 's'], { OPENTIME_DATA_DIR: dataDir });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/required option '--campaign <id>'/);
    const help = runCli(['--help'], {});
    expect(help.stdout).toMatch(/token \[options\]/);
    expect(help.stdout).toMatch(/OPENTIME_DATA_DIR/);
  });

  test('SIGTERM shuts down cleanly', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});

describe('PORT=0', () => {
  test('listens on a port the system picks, and the printed sample URLs use it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-port0-'));
    const server = await startServerProcess({ OPENTIME_DATA_DIR: dir, PORT: '0' });
    try {
      expect(server.url).not.toMatch(/:0$/);
      const [, sender, url] = /curl -H 'AMP-Email-Sender: ([^']+)' '([^']+)'/.exec(server.stdout()) ?? [];
      expect(url?.startsWith(`${server.url}/amp/v1/blocks/`)).toBe(true);
      expect((await fetch(url as string, { headers: { 'AMP-Email-Sender': sender as string } })).status).toBe(200);
      const png = /PNG: (\S+)/.exec(server.stdout())?.[1] as string;
      const image = await fetch(png);
      expect([image.status, image.headers.get('content-type')]).toEqual([200, 'image/png']);
    } finally {
      await server.stop();
    }
  });
});

describe('start-up with a broken blocks config', () => {
  test('exits 2 with the precise message, before touching the database', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-bad-'));
    fs.writeFileSync(path.join(dir, 'blocks.yaml'), 'blocks:\n  - { id: a, kind: product, defaultUrl: "https://x.example" }\n');
    await expect(startServerProcess({ OPENTIME_DATA_DIR: dir, OPENTIME_BLOCKS: path.join(dir, 'blocks.yaml') })).rejects.toThrow(
      /exited with 2: .*blocks\.yaml: blocks\[0\] \(id "a"\)\.productId: missing; expected a string/s,
    );
    expect(fs.existsSync(path.join(dir, 'opentime.db'))).toBe(false);
  });
});

describe('start-up on a port that is already in use', () => {
  test('says so in one line naming PORT, with no stack, and exits non-zero', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-busy-port-'));
    const port = await freePort();
    const occupant = net.createServer();
    await new Promise<void>((resolve) => occupant.listen(port, '127.0.0.1', resolve));
    try {
      const result = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'src', 'main.js')], {
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', OPENTIME_DATA_DIR: dir, OPENTIME_LOG_LEVEL: 'warn' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.stderr).toBe(`PORT=${port}: already in use on 127.0.0.1; expected a free port (stop the process listening there, or set PORT to another)\n`);
      expect(result.status).toBe(1);
    } finally {
      occupant.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 70_000);
});

describe('a demo restarted on another port', () => {
  test('keeps its pictures and the CLI run beside it writes links to the new port', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-moved-'));
    try {
      await (await startServerProcess({ OPENTIME_DATA_DIR: dir })).stop();
      const server = await startServerProcess({ OPENTIME_DATA_DIR: dir });
      try {
        const [, sender, url] = /curl -H 'AMP-Email-Sender: ([^']+)' '([^']+\/hero-product\?t=[^']+)'/.exec(server.stdout()) ?? [];
        const hero = (await (await fetch(url as string, { headers: { 'AMP-Email-Sender': sender as string } })).json()) as { items: { product: { image: string } }[] };
        expect(hero.items[0]?.product.image).toBe(`${server.url}/demo/products/quilted-jacket-olive.png`);

        // No PORT or OPENTIME_PUBLIC_URL for the command: it finds the server's address in the data directory.
        const out = path.join(dir, 'emma.eml');
        const email = runCli(['email', '--campaign', 'flash-sale', '--subscriber', 'sub-emma', '--out', out, '--no-validate'], { OPENTIME_DATA_DIR: dir, PORT: '', OPENTIME_PUBLIC_URL: '' });
        expect(email.status).toBe(0);
        expect(email.stderr).not.toMatch(/neither OPENTIME_PUBLIC_URL nor PORT/);
        const unfolded = fs.readFileSync(out, 'utf8').replace(/=\r?\n/g, '');
        expect(unfolded).toContain(`${server.url}/amp/v1/blocks/`);
        expect(unfolded).not.toContain('localhost:8080');
      } finally {
        await server.stop();
      }

      // A data directory no server has used: the default, and a warning that says how to set it.
      const fresh = path.join(dir, 'never-served');
      const email = runCli(['email', '--campaign', 'flash-sale', '--subscriber', 'sub-emma', '--out', path.join(dir, 'x.eml'), '--no-validate'], {
        OPENTIME_DATA_DIR: fresh,
        PORT: '',
        OPENTIME_PUBLIC_URL: '',
      });
      expect(email.stderr).toMatch(/warning: neither OPENTIME_PUBLIC_URL nor PORT is set and no server has started with the data directory .*never-served; links use http:\/\/localhost:8080/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
