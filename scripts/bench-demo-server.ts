import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../test/helpers/processes';

const ROOT = path.join(__dirname, '..', '..');

export interface DemoServer {
  child: ChildProcess;
  url: string;
  stdout(): string;
  /** The demo's all-scopes API key, from the banner. */
  apiKey: string;
  /** A sample URL of the banner, e.g. the hero product's AMP JSON for Emma. */
  sampleUrl(pattern: RegExp): string;
  stop(): Promise<void>;
}

/**
 * `node dist/src/main.js` in demo mode, one process, on a free loopback port
 * and its own data directory, as a user's `npm start` runs it; resolves once
 * the banner (sample URLs and the demo API key) is printed.
 */
export async function startDemoServer(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<DemoServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'src', 'main.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', OPENTIME_DATA_DIR: dataDir, OPENTIME_LOG_LEVEL: 'warn', OPENTIME_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 30_000);
    child.stdout?.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match && /Demo API key/.test(out)) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was listening (its stderr is above)`));
    });
  });
  return {
    child,
    url,
    stdout: () => out,
    apiKey: /Demo API key[^:]*: (otk_\S+)/.exec(out)?.[1] as string,
    sampleUrl(pattern) {
      const found = pattern.exec(out)?.[1];
      if (!found) throw new Error(`no sample URL matching ${pattern} in the banner`);
      return found;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
