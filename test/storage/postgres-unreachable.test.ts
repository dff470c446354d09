import net from 'node:net';
import { DatabaseUnreachableError, openStorage } from '../../src/storage/open-storage';
import { startupFailureMessage } from '../../src/startup-failure';

/**
 * OPENTIME_DATABASE_URL pointing where no PostgreSQL answers: the start-up
 * fails with one line naming the setting and what failed, never the
 * password. Needs no server (test/scale has the tests that do).
 */

/** A loopback port nothing listens on: the kernel's pick for a listener, closed again. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

test('a PostgreSQL that cannot be reached fails the start-up with one line naming OPENTIME_DATABASE_URL, password left out', async () => {
  const port = await closedPort();
  const databaseUrl = `postgres://opentime:s3cret-password@127.0.0.1:${port}/opentime`;
  const failure = await openStorage({ databaseFile: '/nonexistent/opentime.db', databaseUrl, freshnessMs: 0 }).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(DatabaseUnreachableError);
  const message = startupFailureMessage(failure, { port: 8080, host: '0.0.0.0', dataDir: '/srv/opentime' });
  expect(message).toBe(
    `OPENTIME_DATABASE_URL="postgres://opentime:***@127.0.0.1:${port}/opentime": cannot connect (ECONNREFUSED 127.0.0.1:${port}); ` +
      'expected a PostgreSQL server that is up and accepts this user, password and database',
  );
  expect(message).not.toContain('s3cret');
});
