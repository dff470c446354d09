import { createHash } from 'node:crypto';
import type { PreparedBlock } from '../blocks/prepared-block';
import { HOLDOUT } from './experiment-config';

/** One arm of a prepared experiment: a variant (its own prepared block) or the holdout. */
export interface PreparedArm {
  name: string;
  /** Share of subscribers, 0–1; the shares of an experiment add up to 1. */
  share: number;
  /** Upper end of this arm's slice of [0, 1): arms are laid out in config order, holdout last. */
  upTo: number;
  /** The block as this arm shows it; null for the holdout, which shows the block's fallback items. */
  block: PreparedBlock | null;
}

export interface PreparedExperiment {
  id: string;
  arms: readonly PreparedArm[];
}

/**
 * Where a subscriber falls in [0, 1) for an experiment: the first 32 bits of
 * SHA-256("<experiment id>\n<subscriber id>") divided by 2^32. Deterministic
 * (same answer on the JSON and the image, on every open and every server),
 * independent between experiments (the id salts it), and reproducible outside
 * Opentime, e.g. in SQL or a notebook, to audit an analysis.
 */
export function assignmentPoint(experimentId: string, subscriberId: string): number {
  return createHash('sha256').update(`${experimentId}\n${subscriberId}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** The arm whose slice holds the subscriber's point. */
export function assignArm(experiment: PreparedExperiment, subscriberId: string): PreparedArm {
  const point = assignmentPoint(experiment.id, subscriberId);
  for (const arm of experiment.arms) if (point < arm.upTo) return arm;
  // Only reachable through rounding in the last slice's bound.
  return experiment.arms[experiment.arms.length - 1] as PreparedArm;
}

/** The arm a block shows this subscriber: null when the block runs no experiment or the open has no subscriber. */
export function armFor(block: Pick<PreparedBlock, 'experiment'>, subscriberId: string | null | undefined): PreparedArm | null {
  if (!block.experiment || !subscriberId) return null;
  return assignArm(block.experiment, subscriberId);
}

export function isHoldout(arm: PreparedArm): boolean {
  return arm.name === HOLDOUT;
}
