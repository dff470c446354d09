/**
 * The blocks config reloads while the server runs (README "Reloading the
 * blocks config"): an edit saved the way editors save it (a new file renamed
 * over the old) is served from the next request; an invalid edit is logged
 * and the previous config keeps serving; SIGHUP reloads at once. A real
 * server process (dist/, as `npm start` runs it) on a blocks file in a
 * temporary directory; every wait polls for the reload's log line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, startServerProcess, type ServerProcess } from './helpers/processes';

const SENDER = 'news@shop.example';

const calloutConfig = (headline: string): string =>
  `blocks:\n  - id: note\n    kind: callout\n    defaultUrl: https://shop.example/winter\n    messages: { headline: "${headline}" }\n`;

describe('reloading the blocks config of a running server', () => {
  let dir: string;
  let blocksFile: string;
  let server: ServerProcess;
  let token: string;

  /** Saves the file as editors do: written beside it, then renamed over it (a new inode; a watch on the old file would miss it). */
  const save = (text: string): void => {
    const temporary = path.join(dir, '.blocks.yaml.swp');
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, blocksFile);
  };

  /** The log lines (pino JSON) whose message starts with `prefix`. */
  const logLines = (prefix: string): { msg: string; trigger?: string }[] =>
    server
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; trigger?: string })
      .filter((entry) => entry.msg.startsWith(prefix));

  /** Polls until `count` log lines start with `prefix` (a reload's outcome), or fails after 20 s. */
  const waitForLog = async (prefix: string, count: number): Promise<{ msg: string; trigger?: string }[]> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const lines = logLines(prefix);
      if (lines.length >= count) return lines;
      if (Date.now() > deadline) throw new Error(`no log line "${prefix}…" (×${count}) in:\n${server.stdout()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  const headline = async (): Promise<string> => {
    const response = await fetch(`${server.url}/amp/v1/blocks/note?t=${token}`, { headers: { 'AMP-Email-Sender': SENDER } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: { headline: string }[] }).items[0]?.headline ?? '';
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-reload-'));
    blocksFile = path.join(dir, 'blocks.yaml');
    fs.writeFileSync(blocksFile, calloutConfig('Before, {firstName}'));
    const env = { OPENTIME_DATA_DIR: dir, OPENTIME_BLOCKS: blocksFile };
    // One process: a cluster's workers would each log their own reload (each watches the file).
    server = await startServerProcess({ ...env, OPENTIME_LOG_LEVEL: 'info', OPENTIME_WORKERS: '1' });
    const minted = runCli(['token', '--subscriber', 'sub-emma', '--campaign', 'flash-sale'], env);
    expect(minted.stderr).toBe('');
    token = minted.stdout.trim();
  });
  afterAll(async () => {
    if (server.child.exitCode === null) await server.stop();
  });

  test('a valid edit is served from the next request', async () => {
    expect(await headline()).toBe('Before, Emma');
    save(calloutConfig('After, {firstName}'));
    expect((await waitForLog('blocks config reloaded', 1))[0]).toMatchObject({ msg: 'blocks config reloaded: 1 blocks', trigger: 'file' });
    expect(await headline()).toBe('After, Emma');
  });

  test('an invalid edit is logged with its precise error and the previous config keeps serving', async () => {
    save(calloutConfig('Broken, {frstName}'));
    const [refused] = await waitForLog('blocks config not reloaded', 1);
    expect(refused?.msg).toBe(
      `blocks config not reloaded, the previous one keeps serving: ${blocksFile}: blocks[0] (id "note").messages.headline: unknown placeholder {frstName}; did you mean {firstName}? (expected one of: {firstName}, {points})`,
    );
    expect(await headline()).toBe('After, Emma');
    expect(logLines('blocks config reloaded')).toHaveLength(1);
  });

  test('SIGHUP reloads at once, and the metric counts reloads by outcome', async () => {
    save(calloutConfig('Third, {firstName}'));
    await waitForLog('blocks config reloaded', 2);
    server.child.kill('SIGHUP');
    const reloads = await waitForLog('blocks config reloaded', 3);
    expect(reloads[2]).toMatchObject({ msg: 'blocks config reloaded: 1 blocks', trigger: 'signal' });
    expect(await headline()).toBe('Third, Emma');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^opentime_blocks_config_reloads_total\{outcome="applied"\} 3$/m);
    expect(metrics).toMatch(/^opentime_blocks_config_reloads_total\{outcome="refused"\} 1$/m);
    // The process is still up and serving after the signal.
    expect(server.child.exitCode).toBeNull();
  });
});
