/** Which catalogue records one write touched (ids per record type). */
export interface CatalogueChange {
  products?: readonly string[];
  subscribers?: readonly string[];
  campaigns?: readonly string[];
}

/**
 * How the processes and machines serving one database tell each other what a
 * write made stale, so a price written through one of them is what every one
 * answers at the next open, not only once their cached copies expire
 * (OPENTIME_FRESHNESS_MS). docs/ARCHITECTURE.md ("Scale-out") describes the
 * two ways: node:cluster messages between the processes of one machine, and
 * Redis publish/subscribe between machines.
 *
 * Best effort by design: a change that is lost (Redis restarting, a process
 * starting) is still seen once the cached entries expire, at most
 * OPENTIME_FRESHNESS_MS later.
 */
export interface CatalogueChanges {
  /** Tells every other process; never throws, never waits for them. */
  publish(change: CatalogueChange): void;
  /** `apply` runs for every change another process published (not for this process's own). */
  subscribe(apply: (change: CatalogueChange) => void): void;
  /** Stops listening and publishing. Idempotent. */
  close(): Promise<void>;
}

/** Whether a change names any record at all (an empty batch publishes nothing). */
export function isEmptyChange(change: CatalogueChange): boolean {
  return !change.products?.length && !change.subscribers?.length && !change.campaigns?.length;
}

/** Reads a change from a message another process sent; anything else is undefined. */
export function parseCatalogueChange(message: unknown): CatalogueChange | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const change: CatalogueChange = {};
  for (const key of ['products', 'subscribers', 'campaigns'] as const) {
    const ids: unknown = (message as Record<string, unknown>)[key];
    if (ids === undefined) continue;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) return undefined;
    change[key] = ids as string[];
  }
  return change;
}
