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

  constructor(catalog: BlockCatalog) {
    this.#catalog = catalog;
  }

  get current(): BlockCatalog {
    return this.#catalog;
  }

  replace(next: BlockCatalog): void {
    this.#catalog = next;
  }
}

/** A holder for what a caller passes: the holder itself, or a fixed catalog (tests, tools) in one of its own. */
export function liveBlocks(source: BlockCatalog | LiveBlocks): LiveBlocks {
  return source instanceof LiveBlocks ? source : new LiveBlocks(source);
}
