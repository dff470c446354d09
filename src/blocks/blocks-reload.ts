import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config';
import type { Logger } from '../log';
import type { Metrics } from '../metrics/metrics';
import { parseBlocksConfig, readBlocksConfigText } from './blocks-config';
import type { LiveBlocks } from './live-blocks';

/** What asked for a reload: the file changed on disk, or SIGHUP. */
export type ReloadTrigger = 'file' | 'signal';

export interface BlocksReloadOptions {
  /** The blocks config file (OPENTIME_BLOCKS). */
  file: string;
  /** The holder the server's routes read; a valid new config replaces its catalog. */
  blocks: LiveBlocks;
  logger: Logger;
  /** opentime_blocks_config_reloads_total{outcome}. */
  metrics?: Pick<Metrics, 'blocksConfigReloads'>;
  /** Quiet time after the last change before the file is read (editors write in several steps). Default 150 ms. */
  debounceMs?: number;
}

export interface BlocksReloader {
  /** Reads and applies the file now; true when a new config was applied. */
  reload(trigger: ReloadTrigger): boolean;
  close(): void;
}

/**
 * Reloads the blocks config when its file changes or on SIGHUP (README
 * "Reloading the blocks config"). The file's DIRECTORY is watched, not the
 * file: editors and config managers replace a file by renaming a new one over
 * it (and Kubernetes swaps a symlinked directory), which ends a watch on the
 * old file. Any change there is debounced, then the file is read and
 * compared with the text last read, so unrelated files cost one small read.
 *
 * A config that parses replaces the catalog in one assignment (LiveBlocks);
 * one that does not is logged with its precise error and the old one keeps
 * serving.
 */
export function watchBlocksConfig(options: BlocksReloadOptions): BlocksReloader {
  const { file, blocks, logger } = options;
  const debounceMs = options.debounceMs ?? 150;
  let lastText = readText(file);
  let timer: NodeJS.Timeout | undefined;

  const reload = (trigger: ReloadTrigger): boolean => {
    let text: string;
    try {
      text = readBlocksConfigText(file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return refuse(trigger, error.message);
    }
    // A change event that left the text as it was (another file of the directory, a touch) is no reload.
    if (trigger === 'file' && text === lastText) return false;
    lastText = text;
    try {
      const catalog = parseBlocksConfig(text, file);
      blocks.replace(catalog);
      options.metrics?.blocksConfigReloads.inc({ outcome: 'applied' });
      logger.info({ trigger, blocks: [...catalog.keys()] }, `blocks config reloaded: ${catalog.size} blocks`);
      return true;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return refuse(trigger, error.message);
    }
  };

  const refuse = (trigger: ReloadTrigger, reason: string): false => {
    options.metrics?.blocksConfigReloads.inc({ outcome: 'refused' });
    blocks.refused({ at: new Date(), reason });
    logger.error({ trigger }, `blocks config not reloaded, the previous one keeps serving: ${reason}`);
    return false;
  };

  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(path.dirname(file), { persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => reload('file'), debounceMs);
      timer.unref();
    });
    watcher.on('error', (error) => logger.warn({ err: error }, 'watching the blocks config stopped; SIGHUP still reloads it'));
  } catch (error) {
    logger.warn({ err: error, file }, 'cannot watch the blocks config; SIGHUP still reloads it');
  }

  return {
    reload,
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
