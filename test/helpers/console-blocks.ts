import fs from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseBlocksConfig, type BlockCatalog } from '../../src/blocks/blocks-config';
import path from 'node:path';
import { packageRoot } from '../../src/package-root';

/**
 * The demo blocks config with what the console shows when a block has it:
 * the picks run an experiment (80 live, 20 holdout) and the hero product
 * locks at first open. As YAML, for a server started from a file.
 */
export function consoleBlocksYaml(): string {
  const config = parse(fs.readFileSync(path.join(packageRoot(), 'config', 'blocks.yaml'), 'utf8')) as { blocks: Record<string, unknown>[] };
  for (const block of config.blocks) {
    if (block.id === 'picks') block.experiment = { id: 'picks-console', variants: [{ name: 'live', weight: 80 }], holdout: 20 };
    if (block.id === 'hero-product') block.lockAtFirstOpen = true;
  }
  return stringify(config);
}

export function consoleBlocks(): BlockCatalog {
  return parseBlocksConfig(consoleBlocksYaml(), 'console test blocks');
}
