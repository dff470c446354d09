import fs from 'node:fs';
import { ConfigError } from '../config';
import type { Logger } from '../log';
import { AddressRangeError, AddressRanges } from './address-ranges';

/**
 * The egress ranges of Apple's relays, through which Mail Privacy Protection
 * fetches every remote image when a message is delivered (it runs on the
 * iCloud Private Relay infrastructure). Loaded from a file the user keeps
 * current: Apple publishes the list at
 * https://mask-api.icloud.com/egress-ip-ranges.csv and changes it often.
 *
 * Accepted file formats, so Apple's CSV can be dropped in unchanged:
 * - one prefix or address per line ("172.224.226.0/27", "2a02:26f7:b3c0:4000::/64");
 * - Apple's CSV, "prefix,country,region,city," (only the first field is read);
 * - blank lines and lines starting with "#" are ignored.
 *
 * `watch()` re-reads the file when it changes (polling its modification time,
 * size and inode, which also sees editors and `curl -o` replacing the file),
 * so a refresh needs no restart. A file that fails to parse on refresh is
 * logged and the previous list stays in force.
 */
export class AppleRelayRanges {
  private ranges: AddressRanges;
  private watching: NodeJS.Timeout | undefined;
  /**
   * The file version the list was read from. Polls compare against it, not
   * against the previous poll: fs.watchFile takes its baseline asynchronously
   * and missed a change written before that first poll.
   */
  private loadedVersion: string | undefined;

  constructor(ranges: AddressRanges = AddressRanges.empty, readonly file: string | null = null, loadedVersion?: string) {
    this.ranges = ranges;
    this.loadedVersion = loadedVersion;
  }

  /** Reads and parses the file now; throws ConfigError naming the file and line on a bad entry. */
  static load(file: string): AppleRelayRanges {
    let text: string;
    let version: string;
    try {
      // Stat before reading: a write racing the read shows up as a change at the next poll.
      version = fileVersion(fs.statSync(file));
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`Cannot read the Apple relay ranges ${file} (OPENTIME_APPLE_RELAY_RANGES): ${(error as Error).message}`);
    }
    return new AppleRelayRanges(parseRelayRanges(text, file), file, version);
  }

  /** From prefixes in memory (tests, or a caller with its own source). */
  static of(prefixes: readonly string[]): AppleRelayRanges {
    return new AppleRelayRanges(AddressRanges.fromPrefixes(prefixes));
  }

  /** Is `address` one of Apple's relay egress addresses? */
  has(address: string | undefined): boolean {
    return this.ranges.has(address);
  }

  get size(): number {
    return this.ranges.size;
  }

  /** Re-reads the file; keeps the current list and rethrows when the new one is invalid. */
  reload(): void {
    if (!this.file) return;
    const loaded = AppleRelayRanges.load(this.file);
    this.ranges = loaded.ranges;
    this.loadedVersion = loaded.loadedVersion;
  }

  /** Polls the file and reloads when it differs from what was loaded. The poller does not keep the process alive. */
  watch(options: { intervalMs?: number; logger?: Pick<Logger, 'info' | 'error'> } = {}): this {
    if (!this.file || this.watching) return this;
    const file = this.file;
    this.watching = setInterval(() => {
      fs.stat(file, (error, stats) => {
        // Missing for a moment (mid-replace): the next poll sees the new file.
        if (error || !this.watching) return;
        const version = fileVersion(stats);
        if (version === this.loadedVersion) return;
        // Remember it even when invalid, so a bad file is reported once, not at every poll.
        this.loadedVersion = version;
        try {
          this.reload();
          options.logger?.info({ file, ranges: this.size }, 'Apple relay ranges reloaded');
        } catch (reloadError) {
          options.logger?.error({ file, err: reloadError }, 'Apple relay ranges file is invalid; keeping the previous list');
        }
      });
    }, options.intervalMs ?? 5_000);
    this.watching.unref();
    return this;
  }

  close(): void {
    if (!this.watching) return;
    clearInterval(this.watching);
    this.watching = undefined;
  }
}

function fileVersion(stats: fs.Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

/** Parses the file's text; `origin` names it in errors. */
export function parseRelayRanges(text: string, origin: string): AddressRanges {
  const prefixes: string[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const comma = line.indexOf(',');
    prefixes.push(comma === -1 ? line : line.slice(0, comma).trim());
  }
  try {
    return AddressRanges.fromPrefixes(prefixes);
  } catch (error) {
    if (!(error instanceof AddressRangeError)) throw error;
    // Name the line: find the first entry that fails on its own.
    for (let index = 0; index < lines.length; index++) {
      const line = (lines[index] as string).trim();
      if (line === '' || line.startsWith('#')) continue;
      try {
        AddressRanges.fromPrefixes([line.split(',')[0] as string]);
      } catch (lineError) {
        throw new ConfigError(`${origin} line ${index + 1}: ${(lineError as Error).message}`);
      }
    }
    throw new ConfigError(`${origin}: ${error.message}`);
  }
}
