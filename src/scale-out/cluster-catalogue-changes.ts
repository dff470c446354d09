import type { CatalogueChange, CatalogueChanges } from './catalogue-changes';
import { isEmptyChange, parseCatalogueChange } from './catalogue-changes';
import { isClusterMessage } from './cluster-message';

/** The message a worker sends to the primary, and the primary passes on to every other worker. */
export const CATALOGUE_CHANGE_MESSAGE = 'opentime:catalogue-change';

export interface CatalogueChangeMessage {
  type: typeof CATALOGUE_CHANGE_MESSAGE;
  change: CatalogueChange;
}

export function isCatalogueChangeMessage(message: unknown): message is CatalogueChangeMessage {
  return isClusterMessage<CatalogueChangeMessage>(message, CATALOGUE_CHANGE_MESSAGE);
}

/**
 * Catalogue changes between the server processes of one machine
 * (OPENTIME_WORKERS), over node:cluster's IPC channel: a worker sends its
 * change to the primary, which passes it on to the others
 * (scale-out/cluster-primary.ts). Used when no Redis is configured; with
 * Redis, every process of every machine hears every change there instead.
 */
export class ClusterCatalogueChanges implements CatalogueChanges {
  private listener: ((message: unknown) => void) | undefined;
  private closed = false;

  constructor(private readonly channel: Pick<NodeJS.Process, 'send' | 'on' | 'off' | 'connected'> = process) {}

  publish(change: CatalogueChange): void {
    if (this.closed || isEmptyChange(change) || !this.channel.connected || !this.channel.send) return;
    const message: CatalogueChangeMessage = { type: CATALOGUE_CHANGE_MESSAGE, change };
    // A primary gone away is noticed by the worker's 'disconnect' handler; the change is then of no use to anyone.
    this.channel.send(message, undefined, undefined, () => undefined);
  }

  subscribe(apply: (change: CatalogueChange) => void): void {
    this.listener = (message: unknown) => {
      if (!isCatalogueChangeMessage(message)) return;
      const change = parseCatalogueChange(message.change);
      if (change) apply(change);
    };
    this.channel.on('message', this.listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.listener) this.channel.off('message', this.listener);
    this.listener = undefined;
  }
}
