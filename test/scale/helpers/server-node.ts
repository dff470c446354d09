import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { freePort, ROOT, stopChild } from '../../helpers/processes';

/** One Opentime node as a deployment runs it: its own process, configured by environment only. */
export interface ServerNode {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  output(): string;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `node dist/src/main.js` with `env` and resolves once GET /healthz answers 200 (no banner: a node with keys prints none). */
export async function startServerNode(env: NodeJS.ProcessEnv, startTimeoutMs = 60_000): Promise<ServerNode> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'src', 'main.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', OPENTIME_LOG_LEVEL: 'warn', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node exited with ${child.exitCode} before it was healthy:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node did not become healthy in ${startTimeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    url,
    output: () => output,
    stop: (signal = 'SIGTERM') => stopChild(child, signal),
  };
}
