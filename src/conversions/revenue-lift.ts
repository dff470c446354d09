import type { Interval } from '../experiments/confidence';
import type { RandomSource } from './seeded-random';

/** How many bootstrap resamples a lift is estimated from. */
export const BOOTSTRAP_RESAMPLES = 2000;

/** One experiment group of one block and currency: how many human openers it had, and what each buyer among them spent. */
export interface RevenueGroup {
  openers: number;
  /** Per buyer, the revenue of their attributed orders (minor units); openers without an order spent 0. */
  buyerRevenue: readonly number[];
}

export interface RevenueLift {
  /** Revenue per human opener, minor units (treatment arms together, then the holdout). */
  treatmentPerOpener: number;
  holdoutPerOpener: number;
  /** treatment − holdout, minor units per opener, with its 95% percentile bootstrap interval. */
  difference: number;
  differenceInterval: Interval;
  /** treatment ÷ holdout − 1; null when the holdout spent nothing (the ratio is undefined). */
  relative: number | null;
  /** Null when a resample of the holdout spent nothing (the ratio's interval is unbounded). */
  relativeInterval: Interval | null;
}

const total = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0);

/** A standard normal deviate (Box–Muller) from the seeded source. */
function normal(random: RandomSource): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * A Binomial(n, p) draw: counting Bernoulli trials for small n, inverting the
 * CDF while n·p is small (the probabilities stay far from underflow), and the
 * normal approximation otherwise (n·p·(1−p) ≥ 25, where it is close).
 */
export function binomial(n: number, p: number, random: RandomSource): number {
  if (p <= 0 || n <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(n, 1 - p, random);
  if (n <= 64) {
    let hits = 0;
    for (let i = 0; i < n; i += 1) if (random() < p) hits += 1;
    return hits;
  }
  if (n * p < 25) {
    const ratio = p / (1 - p);
    let probability = (1 - p) ** n;
    let cumulative = probability;
    const u = random();
    let k = 0;
    while (u > cumulative && k < n) {
      probability *= (ratio * (n - k)) / (k + 1);
      k += 1;
      cumulative += probability;
    }
    return k;
  }
  const draw = Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal(random));
  return Math.min(n, Math.max(0, draw));
}

/**
 * One resample of a group (n openers drawn with replacement): how many of
 * them are buyers is Binomial(n, buyers ÷ n), and each drawn buyer is one of
 * the buyers at random; the others spent 0. This is the ordinary bootstrap of
 * the n per-opener revenues without building the n-long list.
 */
function resampledTotal(group: RevenueGroup, random: RandomSource): number {
  const buyers = group.buyerRevenue.length;
  if (buyers === 0) return 0;
  const drawn = binomial(group.openers, buyers / group.openers, random);
  let sum = 0;
  for (let i = 0; i < drawn; i += 1) sum += group.buyerRevenue[Math.floor(random() * buyers)] as number;
  return sum;
}

function percentileInterval(sorted: readonly number[]): Interval {
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))] as number;
  return { low: at(0.025), high: at(0.975) };
}

/**
 * Revenue per human opener in the treatment arms against the holdout, with
 * 95% percentile bootstrap intervals (Efron & Tibshirani 1993, ch. 13) from
 * BOOTSTRAP_RESAMPLES resamples of each group, drawn independently. The
 * random source is injected: the report seeds it, so the same data always
 * gives the same interval. Null when a group has no openers.
 */
export function revenueLift(treatment: RevenueGroup, holdout: RevenueGroup, random: RandomSource, resamples = BOOTSTRAP_RESAMPLES): RevenueLift | null {
  const t = { openers: Math.max(treatment.openers, treatment.buyerRevenue.length), buyerRevenue: treatment.buyerRevenue };
  const h = { openers: Math.max(holdout.openers, holdout.buyerRevenue.length), buyerRevenue: holdout.buyerRevenue };
  if (t.openers === 0 || h.openers === 0) return null;
  const treatmentPerOpener = total(t.buyerRevenue) / t.openers;
  const holdoutPerOpener = total(h.buyerRevenue) / h.openers;
  const differences: number[] = [];
  const ratios: number[] = [];
  let ratioDefined = true;
  for (let i = 0; i < resamples; i += 1) {
    const tMean = resampledTotal(t, random) / t.openers;
    const hMean = resampledTotal(h, random) / h.openers;
    differences.push(tMean - hMean);
    if (hMean > 0) ratios.push(tMean / hMean - 1);
    else ratioDefined = false;
  }
  differences.sort((a, b) => a - b);
  ratios.sort((a, b) => a - b);
  return {
    treatmentPerOpener,
    holdoutPerOpener,
    difference: treatmentPerOpener - holdoutPerOpener,
    differenceInterval: percentileInterval(differences),
    relative: holdoutPerOpener > 0 ? treatmentPerOpener / holdoutPerOpener - 1 : null,
    relativeInterval: ratioDefined ? percentileInterval(ratios) : null,
  };
}
