import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { asPostgresUser } from './run-as-postgres';
import { TEST_SERVICES_KEY, type StartedServices } from './started-services';

/**
 * Jest global teardown of the `scale` project: stops what global-setup.ts
 * started (nothing, when the URLs came from the environment) and removes
 * their directories. Immediate shutdown: the data is thrown away, so there
 * is nothing to flush.
 */
export default async function stopTestServices(): Promise<void> {
  const started = ((globalThis as Record<string, unknown>)[TEST_SERVICES_KEY] ?? {}) as StartedServices;
  delete (globalThis as Record<string, unknown>)[TEST_SERVICES_KEY];
  await stopServices(started);
}

/** Stops the servers given and removes their directories; rejects, after trying both, if either would not stop. */
export async function stopServices(started: StartedServices): Promise<void> {
  const failures: string[] = [];
  if (started.postgres) {
    const { pgCtl, dataDir, dir } = started.postgres;
    try {
      const [file, args] = asPostgresUser(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      execFileSync(file, args, { stdio: 'pipe' });
    } catch (error) {
      failures.push(`PostgreSQL (${dataDir}): ${(error as Error).message}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (started.redis) {
    const { url, pid, dir } = started.redis;
    try {
      // SHUTDOWN NOSAVE answers only by closing the connection as the server exits, so once
      // redis-cli returns nothing writes into the directory any more.
      execFileSync('redis-cli', ['-p', new URL(url).port, 'shutdown', 'nosave'], { stdio: 'pipe' });
    } catch {
      // No redis-cli, or the server did not answer: end it by the pid global-setup read from the pid
      // file of the redis-server it started.
      try {
        process.kill(pid, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') failures.push(`Redis (pid ${pid}): ${(error as Error).message}`);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (failures.length > 0) throw new Error(`could not stop the test services: ${failures.join('; ')}`);
}
