import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../helpers/processes';
import { stopServices } from './global-teardown';
import { asPostgresUser } from './run-as-postgres';
import { TEST_SERVICES_KEY, type StartedServices } from './started-services';

/**
 * Jest global setup of the `scale` project (jest.config.js): a throwaway
 * PostgreSQL and a Redis on loopback for the tests under test/scale, started
 * once per run and stopped by global-teardown.ts. Their URLs go into
 * process.env, which the test workers inherit:
 *
 * - OPENTIME_TEST_DATABASE_URL: the `postgres` database as the superuser
 *   (tests create and drop their own databases through it);
 * - OPENTIME_TEST_REDIS_URL.
 *
 * Either one already set in the environment is used as it is, and that
 * server is not started. Otherwise the binaries come from Debian's packages
 * (postgresql, redis-server).
 */
export default async function startTestServices(): Promise<void> {
  const needPostgres = !process.env.OPENTIME_TEST_DATABASE_URL;
  const needRedis = !process.env.OPENTIME_TEST_REDIS_URL;
  // Both binaries found before either server starts: a missing one fails with nothing to clean up.
  const postgresBin = needPostgres ? postgresBinaries() : undefined;
  const redisServer = needRedis ? redisServerBinary() : undefined;
  const started: StartedServices = {};
  try {
    if (postgresBin !== undefined) {
      started.postgres = await startPostgres(postgresBin);
      process.env.OPENTIME_TEST_DATABASE_URL = started.postgres.url;
    }
    if (redisServer !== undefined) {
      started.redis = await startRedis(redisServer);
      process.env.OPENTIME_TEST_REDIS_URL = started.redis.url;
    }
  } catch (error) {
    // Jest runs no teardown after a failed setup: stop here what did start.
    await stopServices(started);
    throw error;
  }
  (globalThis as Record<string, unknown>)[TEST_SERVICES_KEY] = started;
}

const INSTALL_HINT =
  'Install them with `apt-get install -y postgresql redis-server` (as root), or set OPENTIME_TEST_DATABASE_URL and OPENTIME_TEST_REDIS_URL ' +
  'to servers of your own; `npm run test:unit` runs every test that needs neither';

class MissingServiceError extends Error {
  constructor(what: string) {
    // No stack: the message says everything there is to do.
    super(`The scale tests need PostgreSQL and Redis, and ${what}. ${INSTALL_HINT}.`);
    this.name = 'MissingServiceError';
    this.stack = this.message;
  }
}

/** The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<major>/bin). */
function postgresBinaries(): string {
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((entry) => fs.existsSync(path.join(root, entry, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = majors[0];
  if (newest === undefined) throw new MissingServiceError(`no initdb was found under ${root}/*/bin (Debian package postgresql)`);
  return path.join(root, newest, 'bin');
}

function redisServerBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const binary = found.stdout.trim();
  if (found.status !== 0 || binary === '') throw new MissingServiceError('redis-server is not on the PATH (Debian package redis-server)');
  return binary;
}


function run(command: string, args: readonly string[], cwd: string): void {
  const [file, argv] = asPostgresUser(command, args);
  execFileSync(file, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function startPostgres(bin: string): Promise<NonNullable<StartedServices['postgres']>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-test-postgres-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  const pgCtl = path.join(bin, 'pg_ctl');
  try {
    // Trust authentication: the server listens on loopback only, for this run only.
    run(path.join(bin, 'initdb'), ['-D', dataDir, '--auth=trust', '-U', 'postgres', '--encoding=UTF8', '--locale=C', '--no-sync'], dir);
    // fsync off (and with it full_page_writes): the cluster is thrown away after the run and never
    // has to survive a crash, and on a shared machine every CREATE DATABASE and COMMIT would
    // otherwise wait for the disk. The durability the ports promise is PostgreSQL's own
    // (synchronous_commit), which stays on, so commits behave as in production.
    const serverOptions = [
      `-k ${dir}`,
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    run(pgCtl, ['-D', dataDir, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', serverOptions, 'start'], dir);
  } catch (error) {
    const log = path.join(dir, 'server.log');
    const tail = fs.existsSync(log) ? `\n${fs.readFileSync(log, 'utf8').slice(-2000)}` : '';
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a test PostgreSQL with ${bin}: ${describeFailure(error)}${tail}`);
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, dir, pgCtl, dataDir };
}

async function startRedis(binary: string): Promise<NonNullable<StartedServices['redis']>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentime-test-redis-'));
  const port = await freePort();
  const pidFile = path.join(dir, 'redis.pid');
  try {
    execFileSync(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--dir', dir, '--pidfile', pidFile, '--logfile', path.join(dir, 'redis.log')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // A daemonized redis-server forks before it listens: wait until it answers a PING.
    await untilRedisAnswers(port, 10_000);
  } catch (error) {
    const pid = readPid(pidFile);
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a test Redis with ${binary}: ${describeFailure(error)}`);
  }
  const pid = readPid(pidFile);
  if (pid === undefined) throw new Error(`redis-server answered on port ${port} but wrote no pid file at ${pidFile}`);
  return { url: `redis://127.0.0.1:${port}`, dir, pid };
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves once a Redis on `port` answers PING with +PONG; retries refused connections until `timeoutMs`. */
async function untilRedisAnswers(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pings(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on 127.0.0.1:${port} within ${timeoutMs} ms`);
    // The daemon is still starting: try again on the next turn of the timers phase.
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
  }
}

function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.startsWith('+PONG'));
      }
    });
    socket.once('error', () => resolve(false));
  });
}

function describeFailure(error: unknown): string {
  const stderr = (error as { stderr?: Buffer | string }).stderr;
  const text = stderr ? String(stderr).trim() : '';
  return text || (error as Error).message;
}
