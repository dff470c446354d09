import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Config } from './config';

/**
 * The public URL a running server answers at, kept in its data directory, so
 * that a command run beside it (`opentime email`, `opentime tokens`) writes
 * links to the same server without the user repeating PORT or
 * OPENTIME_PUBLIC_URL. A setting given to the command always wins; the file
 * only stands in for the default.
 */
export const SERVER_ADDRESS_FILE = 'server.json';

const serverAddressSchema = z.object({ publicUrl: z.string().min(1), port: z.number().int(), startedAt: z.string() });
type ServerAddress = z.infer<typeof serverAddressSchema>;

/** Called once the server listens (the port is known then, even with PORT=0). Best effort: a read-only data directory only loses the convenience. */
export function recordServerAddress(config: Pick<Config, 'dataDir'>, address: { publicUrl: string; port: number }, now: Date = new Date()): void {
  const record: ServerAddress = { ...address, startedAt: now.toISOString() };
  const file = path.join(config.dataDir, SERVER_ADDRESS_FILE);
  const partial = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(partial, `${JSON.stringify(record, null, 2)}\n`);
    // Renamed into place: a command reading at the same moment sees the old file or the new one, never half of one.
    fs.renameSync(partial, file);
  } catch {
    fs.rmSync(partial, { force: true });
  }
}

/**
 * The public URL a command writes into links: the configured one; else the
 * one the server using this data directory last started with; else the
 * default, with a warning that says how to set it.
 */
export function publicUrlForCommands(config: Pick<Config, 'publicUrl' | 'publicUrlSource' | 'dataDir'>, warn: (line: string) => void): string {
  if (config.publicUrlSource !== 'default') return config.publicUrl;
  const file = path.join(config.dataDir, SERVER_ADDRESS_FILE);
  const recorded = readServerAddress(file);
  if (recorded) return recorded.publicUrl;
  warn(
    `warning: neither OPENTIME_PUBLIC_URL nor PORT is set and no server has started with the data directory ${config.dataDir}; ` +
      `links use ${config.publicUrl}. Set OPENTIME_PUBLIC_URL (or OPENTIME_CONFIG) as for the server.`,
  );
  return config.publicUrl;
}

function readServerAddress(file: string): ServerAddress | undefined {
  try {
    const parsed = serverAddressSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
