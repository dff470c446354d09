import { BlockLocks } from '../blocks/lock-at-first-open';
import type { Config } from '../config';
import type { BlockLockStore } from '../data/locks';
import type { Logger } from '../log';
import { createMetrics, type Metrics } from '../metrics/metrics';
import { AppleRelayRanges } from '../open/apple-relay-ranges';
import { RenderLog } from './render-log';
import type { RenderLogStore } from './render-record';
import { startRetention, type RetentionStore } from './retention';

/** What the server records about opens (issue 6), built from the config; `close()` writes what is pending. */
export interface ServerRecording {
  relayRanges: AppleRelayRanges;
  /** null when OPENTIME_RENDER_LOG=false. */
  renderLog: RenderLog | null;
  locks: BlockLocks;
  metrics: Metrics;
  metricsToken: string | undefined;
  trustProxy: boolean | number | string;
  /** Stops the file watcher and the pruning timer, then writes queued renders, clicks and locks. */
  close(): Promise<void>;
}

/**
 * Loads Apple's relay ranges (and watches the file), starts the render log,
 * the locks, the process metrics and retention. Throws ConfigError for an
 * unreadable or invalid ranges file, before the server listens.
 */
export function startServerRecording(config: Config, store: RenderLogStore & BlockLockStore & RetentionStore, logger: Logger): ServerRecording {
  const relayRanges = AppleRelayRanges.load(config.appleRelayRangesFile).watch({ logger });
  logger.info({ file: config.appleRelayRangesFile, ranges: relayRanges.size }, 'Apple relay ranges loaded');
  const renderLog = config.renderLog ? new RenderLog(store, { logger }) : null;
  const locks = new BlockLocks(store, { logger });
  const stopRetention = startRetention(store, { retentionDays: config.renderLogRetentionDays, logger });
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
