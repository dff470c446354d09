/**
 * Interval estimates for click-through rates and their comparison. Pure
 * functions of counts; the README states which is used where.
 */

/** The two-sided 95% normal quantile. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for a binomial proportion x/n (Wilson 1927). Unlike
 * the Wald interval it stays inside [0, 1] and behaves at x = 0 and small n.
 */
export function wilsonInterval(x: number, n: number, z = Z_95): Interval {
  if (n <= 0) return { low: 0, high: 1 };
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Relative lift of rate 1 over rate 2, (x1/n1) / (x2/n2) − 1, with the Katz
 * log interval for the risk ratio (Katz et al. 1978):
 *   ln RR ± z · sqrt(1/x1 − 1/n1 + 1/x2 − 1/n2).
 * When either group has no events the ratio or its variance is undefined, so
 * 0.5 is added to each cell of the 2×2 table (Haldane–Anscombe): x + 0.5 and
 * n + 1 in both groups. `value` is null when the baseline rate is 0 (the
 * ratio is undefined; the interval still says how large it could be). Null
 * when a group is empty.
 */
export function relativeLift(x1: number, n1: number, x2: number, n2: number, z = Z_95): ({ value: number | null } & Interval) | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const corrected = x1 === 0 || x2 === 0;
  const a = corrected ? x1 + 0.5 : x1;
  const b = corrected ? x2 + 0.5 : x2;
  const m1 = corrected ? n1 + 1 : n1;
  const m2 = corrected ? n2 + 1 : n2;
  const logRatio = Math.log(a / m1 / (b / m2));
  const se = Math.sqrt(Math.max(0, 1 / a - 1 / m1 + 1 / b - 1 / m2));
  return {
    value: x2 === 0 ? null : x1 / n1 / (x2 / n2) - 1,
    low: Math.exp(logRatio - z * se) - 1,
    high: Math.exp(logRatio + z * se) - 1,
  };
}

/**
 * Difference of two proportions, x1/n1 − x2/n2, with Newcombe's hybrid score
 * interval (Newcombe 1998, method 10), built from the two Wilson intervals;
 * well behaved for small counts and rates near 0. Null when a group is empty.
 */
export function rateDifference(x1: number, n1: number, x2: number, n2: number, z = Z_95): ({ value: number } & Interval) | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const w1 = wilsonInterval(x1, n1, z);
  const w2 = wilsonInterval(x2, n2, z);
  const d = p1 - p2;
  return {
    value: d,
    low: d - Math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2),
    high: d + Math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2),
  };
}
