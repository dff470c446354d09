import type { LocaleCount, SubscriberLocales } from '../storage/ports/subscriber-locales';
import { baseBlockSchema } from './block-config';
import type { LiveBlocks } from './live-blocks';
import { missingTranslations } from './missing-translations';
import type { PreparedBlock } from './prepared-block';

/** One arm of a block's experiment: its weight as configured and the share of subscribers it gets. */
export interface ArmOverview {
  name: string;
  weight: number;
  /** 0–1: weight over the sum of every arm's and the holdout's. */
  share: number;
  /** Block options the arm changes. */
  override: Record<string, unknown>;
}

/** What GET /api/v1/blocks says of one block, as the server serves it now. */
export interface BlockOverview {
  id: string;
  kind: string;
  description: string | null;
  defaultUrl: string;
  defaultLocale: string | null;
  /** The kind's own options: sources, counts, swap rules, product ids… (JSON Logic rules among them). */
  options: Record<string, unknown>;
  /** When it holds, the block shows its fallback (JSON Logic), or null. */
  holdBackWhen: unknown;
  /** Message variants in config order: the first whose rule holds wins. */
  variants: { name: string; when: unknown; messages: Record<string, string> }[];
  experiment: { id: string; arms: ArmOverview[]; holdout: { weight: number; share: number } } | null;
  /** Lock at first open, with its marks (configured, or the default "sold out" mark). */
  lockAtFirstOpen: { marks: unknown[]; defaultMarks: boolean } | null;
  /** Languages and locales the block has translations for, besides its default language. */
  translations: string[];
  warnings: { missingTranslations: LocaleCount[] };
}

export interface BlocksOverview {
  blocks: BlockOverview[];
  /** The last blocks-config reload that was refused, if no reload applied since: the config on disk is not what is served. */
  lastRefusedReload: { at: string; reason: string } | null;
}

const BASE_KEYS = new Set([...Object.keys(baseBlockSchema.shape), 'kind']);

/**
 * GET /api/v1/blocks and the console's Blocks page: every block as the live
 * config serves it, with the subscriber locales it has no translation for
 * (reads every subscriber's locale once: for people, never per open).
 */
export async function describeBlocks(blocks: LiveBlocks, locales: SubscriberLocales): Promise<BlocksOverview> {
  const catalog = blocks.current;
  const missing = new Map(missingTranslations(catalog, await locales.localeCounts()).map((entry) => [entry.blockId, entry.locales]));
  const refusal = blocks.lastRefusal;
  return {
    blocks: [...catalog.values()].map((block) => describeBlock(block, missing.get(block.config.id) ?? [])),
    lastRefusedReload: refusal ? { at: refusal.at.toISOString(), reason: refusal.reason } : null,
  };
}

function describeBlock(block: PreparedBlock, missing: LocaleCount[]): BlockOverview {
  const config = block.config as typeof block.config & Record<string, unknown>;
  return {
    id: config.id,
    kind: block.kind.name,
    description: config.description ?? null,
    defaultUrl: config.defaultUrl,
    defaultLocale: config.defaultLocale ?? null,
    options: Object.fromEntries(Object.entries(config).filter(([key]) => !BASE_KEYS.has(key))),
    holdBackWhen: config.holdBackWhen ?? null,
    variants: config.variants.map(({ name, when, messages }) => ({ name, when, messages })),
    experiment: config.experiment ? describeExperiment(config.experiment, block.experiment?.id ?? config.experiment.id ?? config.id) : null,
    lockAtFirstOpen: config.lockAtFirstOpen ? { marks: config.lockAtFirstOpen.marks ?? [], defaultMarks: config.lockAtFirstOpen.marks === undefined } : null,
    translations: Object.keys(config.translations).sort(),
    warnings: { missingTranslations: missing },
  };
}

function describeExperiment(experiment: NonNullable<PreparedBlock['config']['experiment']>, id: string): NonNullable<BlockOverview['experiment']> {
  const total = experiment.variants.reduce((sum, arm) => sum + arm.weight, 0) + experiment.holdout;
  return {
    id,
    arms: experiment.variants.map((arm) => ({ name: arm.name, weight: arm.weight, share: arm.weight / total, override: arm.override })),
    holdout: { weight: experiment.holdout, share: experiment.holdout / total },
  };
}

