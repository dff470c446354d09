import type { BlockCatalog } from './blocks-config';

/**
 * The blocks the server serves now: one holder whose catalog is replaced
 * whole when the blocks config is reloaded (blocks/blocks-reload.ts). A
 * request reads `current` once and keeps that catalog's PreparedBlock to the
 * end, so a request in flight finishes with the old config and the next one
 * gets the new; nothing ever sees half of each.
 */
export class LiveBlocks {
  #catalog: BlockCatalog;
  #lastRefusal: ReloadRefusal | null = null;

  constructor(catalog: BlockCatalog) {
    this.#catalog = catalog;
  }

  get current(): BlockCatalog {
    return this.#catalog;
  }

  replace(next: BlockCatalog): void {
    this.#catalog = next;
    this.#lastRefusal = null;
  }

  /** The config error of the last reload that was refused, until a reload applies (the console and GET /api/v1/blocks show it). */
  get lastRefusal(): ReloadRefusal | null {
    return this.#lastRefusal;
  }

  refused(refusal: ReloadRefusal): void {
    this.#lastRefusal = refusal;
  }
}

/** A reload that was refused: when, and the config error that stopped it (the old config kept serving). */
export interface ReloadRefusal {
  at: Date;
  reason: string;
}

/** A holder for what a caller passes: the holder itself, or a fixed catalog (tests, tools) in one of its own. */
export function liveBlocks(source: BlockCatalog | LiveBlocks): LiveBlocks {
  return source instanceof LiveBlocks ? source : new LiveBlocks(source);
}
