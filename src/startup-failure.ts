import path from 'node:path';
import type { Config } from './config';
import { ServiceUnreachableError } from './service-unreachable';

/**
 * The system errors a start-up meets because of a setting — a port in use, a
 * host that is not this machine's, a data directory that cannot be written,
 * a database that cannot be reached —
 * as one line naming the setting, its value and what is expected, like a
 * configuration error. Anything else is undefined: a bug, reported with its stack.
 */
export function startupFailureMessage(error: unknown, config: Pick<Config, 'port' | 'host' | 'dataDir'>): string | undefined {
  // Not `instanceof Error`: errors from Node's core may come from another realm (a vm context, a test runner).
  if (typeof error !== 'object' || error === null) return undefined;
  // OPENTIME_DATABASE_URL or OPENTIME_REDIS_URL down, unknown or refusing us: the message already names the setting (password left out) and what failed.
  if (error instanceof ServiceUnreachableError) return error.message;
  const { code, syscall, path: file } = error as NodeJS.ErrnoException;
  if (syscall === 'listen' || syscall === 'bind') {
    switch (code) {
      case 'EADDRINUSE':
        return `PORT=${config.port}: already in use on ${config.host}; expected a free port (stop the process listening there, or set PORT to another)`;
      case 'EACCES':
        return `PORT=${config.port}: this user may not listen on it; expected a port from 1024 up (or the right to bind low ports)`;
      case 'EADDRNOTAVAIL':
        return `HOST="${config.host}": not an address of this machine; expected one of its interface addresses, 0.0.0.0 or ::`;
    }
  }
  if (syscall === 'getaddrinfo' && (code === 'ENOTFOUND' || code === 'EAI_AGAIN')) {
    return `HOST="${config.host}": the name does not resolve; expected an address of this machine (0.0.0.0, ::, 127.0.0.1) or a name that resolves to one`;
  }
  // A path on the way to the data directory, or inside it (mkdir of a parent fails first).
  if (file !== undefined && code !== undefined && isWithinOrAbove(path.resolve(file), config.dataDir)) {
    return `OPENTIME_DATA_DIR="${config.dataDir}": cannot be used (${code}: ${syscall ?? 'access'} ${file}); expected a directory this user can create and write`;
  }
  return undefined;
}

function isWithinOrAbove(file: string, directory: string): boolean {
  const fromDirectory = path.relative(directory, file);
  const fromFile = path.relative(file, directory);
  return !fromDirectory.startsWith('..') || !fromFile.startsWith('..');
}
