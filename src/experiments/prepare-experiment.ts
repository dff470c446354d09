import type { PreparedBlock } from '../blocks/prepared-block';
import type { PreparedArm, PreparedExperiment } from './assignment';
import { HOLDOUT, type ExperimentConfig } from './experiment-config';

/** Options merged one level deep rather than replaced, so a variant can change one colour or one message. */
const MERGED_ONE_LEVEL = new Set(['theme', 'messages', 'translations']);

/**
 * The block config an arm serves: the block's own, with the variant's
 * override applied and without the experiment (an arm runs no experiment of
 * its own). Pure; exported for tests.
 */
export function armConfig(raw: Readonly<Record<string, unknown>>, override: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...raw };
  delete merged.experiment;
  delete merged.lockAtFirstOpen;
  for (const [key, value] of Object.entries(override)) {
    const base = merged[key];
    merged[key] =
      MERGED_ONE_LEVEL.has(key) && isPlainObject(base) && isPlainObject(value) ? { ...base, ...value } : value;
  }
  return merged;
}

/**
 * Prepares the arms of a block's `experiment:` option (already validated by
 * experimentSchema as part of the block), each variant validated and compiled
 * like a block of its own, so errors name `blocks[i].experiment.variants[j]`.
 * `prepare` is the catalogue's own block preparation, passed in to keep one
 * path for validation.
 */
export function prepareExperiment(
  experiment: ExperimentConfig | undefined,
  raw: Readonly<Record<string, unknown>>,
  blockId: string,
  where: string,
  prepare: (raw: Record<string, unknown>, where: string) => PreparedBlock,
): PreparedExperiment | null {
  return experiment ? buildArms(experiment, raw, blockId, where, prepare) : null;
}

function buildArms(
  experiment: ExperimentConfig,
  raw: Readonly<Record<string, unknown>>,
  blockId: string,
  where: string,
  prepare: (raw: Record<string, unknown>, where: string) => PreparedBlock,
): PreparedExperiment {
  const total = experiment.variants.reduce((sum, variant) => sum + variant.weight, 0) + experiment.holdout;
  const arms: PreparedArm[] = [];
  let upTo = 0;
  experiment.variants.forEach((variant, index) => {
    const share = variant.weight / total;
    upTo += share;
    arms.push({ name: variant.name, share, upTo, block: prepare(armConfig(raw, variant.override), `${where}.experiment.variants[${index}]`) });
  });
  if (experiment.holdout > 0) {
    const share = experiment.holdout / total;
    arms.push({ name: HOLDOUT, share, upTo: upTo + share, block: null });
  }
  // Rounding must not leave a sliver of [0, 1) without an arm.
  (arms[arms.length - 1] as PreparedArm).upTo = 1;
  return { id: experiment.id ?? blockId, arms };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
