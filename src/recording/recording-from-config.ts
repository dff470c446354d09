import type { Config } from '../config';
import type { Logger } from '../log';
import { createMetrics, type Metrics } from '../metrics/metrics';
import { AppleRelayRanges } from '../open/apple-relay-ranges';
import type { Storage } from '../storage/storage';
import { BlockLocks } from './block-locks';
import { RenderLog } from './render-log';
import { startRetention } from './retention';

/** What the server records about opens, built from the config; `close()` writes what is pending. */
export interface ServerRecording {
  relayRanges: AppleRelayRanges;
  /** null when OPENTIME_RENDER_LOG=false. */
  renderLog: RenderLog | null;
  locks: BlockLocks;
  metrics: Metrics;
  metricsToken: string | undefined;
  trustProxy: boolean | number | string;
  /** Stops the file watcher and the pruning timer, then writes queued renders, clicks and lock claims. */
  close(): Promise<void>;
}

/**
 * Loads Apple's relay ranges (and watches the file), starts the render log,
 * the locks, the process metrics and retention. Throws ConfigError for an
 * unreadable or invalid ranges file, before the server listens.
 */
export function startServerRecording(config: Config, storage: Pick<Storage, 'renderLog' | 'locks' | 'retention'>, logger: Logger): ServerRecording {
  const relayRanges = AppleRelayRanges.load(config.appleRelayRangesFile).watch({ logger });
  logger.info({ file: config.appleRelayRangesFile, ranges: relayRanges.size }, 'Apple relay ranges loaded');
  const renderLog = config.renderLog ? new RenderLog(storage.renderLog, { logger }) : null;
  const locks = new BlockLocks(storage.locks, { logger });
  const stopRetention = startRetention(storage.retention, { retentionDays: config.renderLogRetentionDays, logger });
  return {
    relayRanges,
    renderLog,
    locks,
    metrics: createMetrics({ defaultMetrics: true }),
    metricsToken: config.metricsToken,
    trustProxy: config.trustProxy,
    async close() {
      relayRanges.close();
      stopRetention();
      await Promise.all([renderLog?.close(), locks.close()]);
    },
  };
}
