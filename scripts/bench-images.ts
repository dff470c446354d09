import path from 'node:path';
import { loadBlocksConfig } from '../src/blocks/blocks-config';
import { DEMO_CAMPAIGN_IDS, DEMO_SUBSCRIBER_IDS } from '../src/data/demo-data';
import { createLogger } from '../src/log';
import { packageRoot } from '../src/package-root';
import { createBlockImageRenderer, type ImageFormat } from '../src/render/block-image';
import { createImageLoader } from '../src/render/image-loader';
import { RenderCache } from '../src/render/render-cache';
import type { Keyring } from '../src/tokens/keyring';
import { signSubscriberToken } from '../src/tokens/subscriber-token';
import { createTokenVerifier } from '../src/tokens/token-verifier';
import { openStorage } from '../src/storage/open-storage';
import { percentile } from './bench-stats';

/**
 * Cold image renders in-process (a render cache too small to keep anything, so
 * every call resolves, draws and encodes), per kind and for the 60-frame GIF.
 */
export async function imageRenderFigures(dataDir: string, keyring: Keyring): Promise<string> {
  const storage = await openStorage({ databaseFile: path.join(dataDir, 'opentime.db'), freshnessMs: 1000 }, { readonly: true });
  const blocks = loadBlocksConfig(path.join(packageRoot(), 'config', 'blocks.yaml'));
  const logger = createLogger('silent');
  // The bench data was seeded with this base URL, so demo pictures are drawn in-process as in the demo server.
  const imageLoader = createImageLoader({ publicUrl: 'http://127.0.0.1', logger });
  const renderer = createBlockImageRenderer({
    store: storage.catalogue,
    blocks,
    verifyToken: createTokenVerifier(keyring, 'opentime'),
    now: () => new Date(),
    logger,
    imageLoader,
    renderCache: new RenderCache({ maxBytes: 1 }),
  });
  const tokens = Object.values(DEMO_SUBSCRIBER_IDS).map((subscriberId) =>
    signSubscriberToken(keyring, { subscriberId, campaignId: DEMO_CAMPAIGN_IDS.flashSale }, { audience: 'opentime' }),
  );
  const lines = [`cold image renders in-process (resolve + draw + encode, no render cache):`];
  const measure = async (label: string, blockId: string, format: ImageFormat, runs: number): Promise<void> => {
    for (let i = 0; i < 5; i++) await renderer.render({ blockId, token: tokens[i % tokens.length], format });
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const image = await renderer.render({ blockId, token: tokens[i % tokens.length], format });
      times.push(performance.now() - started);
      bytes += image.bytes.length;
      if (image.outcome !== 'view') throw new Error(`${blockId}.${format} rendered ${image.outcome}, expected the live view`);
    }
    times.sort((a, b) => a - b);
    lines.push(
      `  ${label.padEnd(40)} p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms  p99 ${percentile(times, 99).toFixed(1).padStart(6)} ms  ` +
        `mean size ${(bytes / runs / 1024).toFixed(1)} KB`,
    );
  };
  for (const blockId of ['flash-countdown', 'hero-product', 'parka-product', 'picks', 'loyalty-status']) {
    await measure(`${blockId}.png`, blockId, 'png', 200);
  }
  await measure('flash-countdown.gif (60 frames)', 'flash-countdown', 'gif', 30);
  imageLoader.close();
  await storage.close();
  return lines.join('\n');
}
