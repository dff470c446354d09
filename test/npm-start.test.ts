import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childPids, freePort, isAlive as alive, ROOT } from './helpers/processes';

/** A first start may compile the whole project on a loaded machine; nothing here waits on a fixed delay. */
const START_TIMEOUT_MS = 150_000;
const STOP_TIMEOUT_MS = 30_000;

interface NpmStart {
  npm: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
}

/** `npm start` as a user runs it, in the project directory, resolved once the server prints its banner. */
async function npmStart(port: number, dataDir: string): Promise<NpmStart> {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', OPENTIME_DATA_DIR: dataDir, OPENTIME_LOG_LEVEL: 'warn' },
  });
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no banner in ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    npm.stdout.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    npm.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code} before the banner:\n${output}`));
    });
  });
  return { npm, url, output: () => output };
}

/** Every process below `pid` (Linux /proc), so a server left running can be named and cleaned up. */
function descendants(pid: number): number[] {
  return childPids(pid).flatMap((child) => [child, ...descendants(child)]);
}


/**
 * SIGTERMs npm only, as a process supervisor or `kill <pid>` does, and
 * resolves when npm's stdout and stderr are closed: the server inherits them,
 * so they close only once the server process is gone too.
 */
function terminateNpm(started: NpmStart, processes: readonly number[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const running = processes.filter(alive).map((pid) => `${pid} (${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()})`);
      reject(new Error(`${STOP_TIMEOUT_MS} ms after SIGTERM to npm, still running: ${running.join(', ') || 'none'}; npm exit code ${started.npm.exitCode}`));
    }, STOP_TIMEOUT_MS);
    started.npm.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    started.npm.kill('SIGTERM');
  });
}

const mtimeOf = (file: string): number => fs.statSync(path.join(ROOT, file)).mtimeMs;

describe('npm start', () => {
  let dataDir: string;
  const leftovers: number[] = [];
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-npm-start-'));
  });
  afterAll(() => {
    // Only if a test failed: never leave a server behind on the machine.
    for (const pid of leftovers.filter(alive)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('SIGTERM to the npm process stops the server and frees the port', async () => {
    const port = await freePort();
    const started = await npmStart(port, dataDir);
    expect((await fetch(`${started.url}/healthz`)).status).toBe(200);
    const processes = descendants(started.npm.pid as number);
    leftovers.push(...processes);
    expect(processes.length).toBeGreaterThan(0);

    expect(await terminateNpm(started, processes)).toBe(0);
    expect(processes.filter(alive)).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    // The server stopped gracefully, not by being killed.
    expect(started.output()).not.toMatch(/Shutdown failed|Failed to start/);
  }, START_TIMEOUT_MS + STOP_TIMEOUT_MS + 10_000);

  test('a second start with nothing changed does not compile again', async () => {
    // The first test's start built dist if the sources were newer; nothing has changed since.
    const builtBefore = { buildInfo: mtimeOf('dist/tsconfig.tsbuildinfo'), main: mtimeOf('dist/src/main.js') };
    const started = await npmStart(await freePort(), dataDir);
    const builtAfter = { buildInfo: mtimeOf('dist/tsconfig.tsbuildinfo'), main: mtimeOf('dist/src/main.js') };
    const processes = descendants(started.npm.pid as number);
    leftovers.push(...processes);
    const stopped = await terminateNpm(started, processes).then(
      (code) => ({ code }),
      (error: Error) => ({ error: error.message }),
    );
    expect(builtAfter).toEqual(builtBefore);
    expect(stopped).toEqual({ code: 0 });
  }, START_TIMEOUT_MS + STOP_TIMEOUT_MS + 10_000);
});
