import { DatabaseUnreachableError, openStorage } from '../../src/storage/open-storage';
import { startupFailureMessage } from '../../src/startup-failure';
import { freePort } from '../helpers/processes';

/**
 * OPENTIME_DATABASE_URL pointing where no PostgreSQL answers: the start-up
 * fails with one line naming the setting and what failed, never the
 * password. Needs no server (test/scale has the tests that do).
 */


test('a PostgreSQL that cannot be reached fails the start-up with one line naming OPENTIME_DATABASE_URL, password left out', async () => {
  // A port nothing listens on: the kernel's pick for a listener, closed again.
  const port = await freePort();
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
