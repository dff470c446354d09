/**
 * A seeded pseudo-random source (mulberry32, a 32-bit generator with a full
 * period of 2^32): the bootstrap takes it as a parameter, so a report is the
 * same every time for the same data and a test can fix the seed.
 */
export type RandomSource = () => number;

export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
