import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { packageRoot } from '../src/package-root';
import { freePort } from '../test/helpers/processes';
import { waitForHealth } from './bench-server';

/**
 * One Opentime server for bench:scale, started as bench.ts starts it
 * (`node dist/src/main.js` with env), logging at warn so that every fallback,
 * shed and failure the server noticed is counted by message: those are what
 * the bench reports as odd behaviour under load.
 */

export interface ScaleServer {
  name: string;
  url: string;
  child: ChildProcess;
  pid: number;
  /** Log lines at warn or above since start, by "level: message". */
  logs: Map<string, number>;
  /** Lines on stdout that were not JSON log lines (the demo banner, a crash). */
  otherLines: string[];
  stop(): Promise<void>;
}

const SERVER = path.join(packageRoot(), 'dist', 'src', 'main.js');
const LEVELS: Record<number, string> = { 40: 'warn', 50: 'error', 60: 'fatal' };

export async function startScaleServer(name: string, env: NodeJS.ProcessEnv): Promise<ScaleServer> {
  // The kernel's pick, never a fixed port: another server still running could answer our health check.
  const port = await freePort();
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers (Node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, SERVER], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', OPENTIME_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs = new Map<string, number>();
  const otherLines: string[] = [];
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    let entry: { level?: number; msg?: string } | undefined;
    try {
      entry = JSON.parse(line) as { level?: number; msg?: string };
    } catch {
      // not a log line
    }
    if (entry && typeof entry.level === 'number') {
      if (entry.level >= 40) {
        const key = `${LEVELS[entry.level] ?? entry.level}: ${entry.msg ?? '(no message)'}`;
        logs.set(key, (logs.get(key) ?? 0) + 1);
      }
    } else if (otherLines.length < 50) otherLines.push(line);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await waitForHealth(url, child);
    // A server that could not listen exits: a health answer then came from someone else's process.
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} after ${url} answered: the port was taken`);
  } catch (error) {
    await stop();
    throw new Error(`${name}: ${(error as Error).message}${otherLines.length ? `\n${otherLines.join('\n')}` : ''}`);
  }
  return { name, url, child, pid: child.pid as number, logs, otherLines, stop };
}

/** The warn/error log lines counted so far, one per message, and clears them for the next phase. */
export function takeLogs(server: ScaleServer): string[] {
  const lines = [...server.logs].sort((a, b) => b[1] - a[1]).map(([message, count]) => `${count}× ${message}`);
  server.logs.clear();
  return lines;
}

/**
 * The counters bench:scale reads from /metrics (render cache hits and misses,
 * rows the write-behind queues dropped), as "name{labels}" → value. With
 * several worker processes this is one worker's view.
 */
export async function scrapeCounters(url: string): Promise<Map<string, number>> {
  const counters = new Map<string, number>();
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (!/^opentime_(cache_requests_total|write_behind_dropped_total)\b/.test(line)) continue;
      const space = line.lastIndexOf(' ');
      counters.set(line.slice(0, space), Number(line.slice(space + 1)));
    }
  } catch {
    // metrics unavailable: the figures that need them say so
  }
  return counters;
}

/** after − before for one counter; NaN when /metrics did not have it. */
export function counterDelta(before: Map<string, number>, after: Map<string, number>, key: string): number {
  const end = after.get(key);
  return end === undefined ? Number.NaN : end - (before.get(key) ?? 0);
}
