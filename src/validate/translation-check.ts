import fs from 'node:fs';
import type { BlockCatalog } from '../blocks/blocks-config';
import { describeLocales, missingTranslations } from '../blocks/missing-translations';
import type { Config } from '../config';
import { openStorage } from '../storage/open-storage';

/**
 * `opentime validate`'s check of the blocks config against the database:
 * per block, the subscriber locales it has no translation for (the same
 * check the server logs at start-up, blocks/missing-translations.ts). Lines
 * to print, each a warning; the database is opened read-only, and a missing
 * SQLite file means there is nothing to check yet.
 */
export async function translationCheckLines(config: Config, blocks: BlockCatalog): Promise<string[]> {
  if (config.databaseUrl === undefined && !fs.existsSync(config.databaseFile)) {
    return [`${config.blocksFile}: translations not checked: no database at ${config.databaseFile} yet`];
  }
  const storage = await openStorage(config, { readonly: true });
  try {
    const missing = missingTranslations(blocks, await storage.subscriberLocales.localeCounts());
    return missing.map(
      ({ blockId, locales }) => `${config.blocksFile}: warning: block "${blockId}" has no translation for ${describeLocales(locales)}: they read its default language`,
    );
  } finally {
    await storage.close();
  }
}
