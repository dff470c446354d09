import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startupFailureMessage } from '../src/startup-failure';

/** The error a real call fails with, so the test sees what Node reports (code, syscall, path). */
function errorOf(run: () => unknown): Promise<unknown> {
  return Promise.resolve()
    .then(run)
    .then(
      () => {
        throw new Error('expected a failure');
      },
      (error: unknown) => error,
    );
}

function listenError(port: number, host: string): Promise<unknown> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', resolve);
    server.listen(port, host, () => server.close(() => resolve(new Error(`${host}:${port} was free`))));
  });
}

describe('start-up failures caused by a setting are one line naming it', () => {
  const config = { port: 8080, host: '192.0.2.1', dataDir: '/srv/opentime/data' };

  test('HOST that is not an address of this machine', async () => {
    const error = await listenError(0, '192.0.2.1');
    expect(startupFailureMessage(error, config)).toBe('HOST="192.0.2.1": not an address of this machine; expected one of its interface addresses, 0.0.0.0 or ::');
  });

  test('HOST that does not resolve', async () => {
    const error = await listenError(0, 'no-such-host.invalid');
    expect(startupFailureMessage(error, { ...config, host: 'no-such-host.invalid' })).toMatch(/^HOST="no-such-host\.invalid": the name does not resolve; expected /);
  });

  test('OPENTIME_DATA_DIR below a regular file', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-startup-')), 'not-a-directory');
    fs.writeFileSync(file, '');
    const dataDir = path.join(file, 'data');
    const error = await errorOf(() => fs.mkdirSync(dataDir, { recursive: true }));
    expect(startupFailureMessage(error, { ...config, dataDir })).toBe(
      `OPENTIME_DATA_DIR="${dataDir}": cannot be used (ENOTDIR: mkdir ${dataDir}); expected a directory this user can create and write`,
    );
  });

  test('anything else is left to the stack trace', async () => {
    expect(startupFailureMessage(new TypeError('x is not a function'), config)).toBeUndefined();
    const elsewhere = await errorOf(() => fs.readFileSync('/nonexistent-opentime-file'));
    expect(startupFailureMessage(elsewhere, config)).toBeUndefined();
  });
});
