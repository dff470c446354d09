import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, ROOT } from './helpers/processes';

/**
 * OPENTIME_REDIS_URL pointing where no Redis answers: the start-up stops
 * with one line naming the setting (password left out) and what failed, as
 * one process and as a cluster, whose workers say it once. Needs no Redis.
 */
describe.each(['1', '2'])('OPENTIME_WORKERS=%s with a Redis that does not answer', (workers) => {
  test('stops with one line naming OPENTIME_REDIS_URL, password left out, exit 1', async () => {
    const [redisPort, port] = [await freePort(), await freePort()];
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-redis-down-'));
    try {
      const result = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'src', 'main.js')], {
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          OPENTIME_DATA_DIR: dataDir,
          OPENTIME_WORKERS: workers,
          OPENTIME_REDIS_URL: `redis://:s3cret-password@127.0.0.1:${redisPort}`,
          OPENTIME_LOG_LEVEL: 'warn',
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.stderr).toMatch(
        new RegExp(`^OPENTIME_REDIS_URL=redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redisPort}: cannot connect \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${redisPort}\\); expected a Redis server that answers there, for [a-z ]+\\n$`),
      );
      expect(result.stdout).not.toContain('listening');
      expect(result.status).toBe(1);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
