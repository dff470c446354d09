import type { BlockCatalog } from '../blocks/blocks-config';
import { ConfigError } from '../config';
import type { FeedConfig } from '../kinds/feed';
import { DEMO_FEED_PATH } from './feed-demo';
import { feedUrlProblem } from './feed-fetch';
import type { FeedSpec } from './feed-sources';

/**
 * At start-up: every feed block's URL
 * must be one the feed fetcher would fetch — its host on the image host
 * allowlist, not a private address unless those are allowed — so a feed that
 * could never be read stops start-up naming the file, the block and the path,
 * instead of showing every subscriber the fallback. Addresses a name resolves
 * to are still checked at each fetch (sources/feed-fetch.ts).
 */
export function checkFeedHosts(blocks: BlockCatalog, file: string, options: { allowedHosts: readonly string[]; allowPrivateAddresses: boolean }): void {
  const problems: string[] = [];
  // The catalog keeps the file's order, and every block of a loaded catalog was valid: its index is its place.
  [...blocks.values()].forEach((block, index) => {
    if (block.kind.name !== 'feed') return;
    const { url } = (block.config as FeedConfig).feed;
    if (DEMO_FEED_PATH.test(url)) return;
    const problem = feedUrlProblem(new URL(url), options.allowedHosts, options.allowPrivateAddresses);
    if (problem) {
      problems.push(
        `${file}: blocks[${index}] (id "${block.config.id}").feed.url: ${problem}; expected a feed on an allowed host (add its host to OPENTIME_IMAGE_HOSTS, e.g. "${new URL(url).hostname}")`,
      );
    }
  });
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
}

/** The feeds a catalog's feed blocks read, each once: fetched at start-up so the first opens find items. */
export function feedSpecsOf(blocks: BlockCatalog): FeedSpec[] {
  const specs = new Map<string, FeedSpec>();
  for (const block of blocks.values()) {
    if (block.kind.name !== 'feed') continue;
    const { url, itemsPath } = (block.config as FeedConfig).feed;
    specs.set(`${url}\n${itemsPath ?? ''}`, { url, itemsPath });
  }
  return [...specs.values()];
}
