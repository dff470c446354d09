import fs from 'node:fs';

/**
 * initdb refuses to run as root (PostgreSQL manual, "Creating a Database
 * Cluster"), and CI runs as root: there the server's commands run as the
 * `postgres` user Debian's package creates, through runuser (util-linux,
 * in /usr/sbin, which a root PATH may or may not hold). Anyone else runs
 * them as themselves. Returns the file and arguments to execute.
 */
export function asPostgresUser(command: string, args: readonly string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, [...args]];
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((file) => fs.existsSync(file)) ?? 'runuser';
  return [runuser, ['-u', 'postgres', '--', command, ...args]];
}
