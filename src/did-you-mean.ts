/**
 * "Did you mean …" for a name the config does not know: the known name
 * closest to it by edit distance (Levenshtein), when close enough to be a
 * typo rather than another word. One helper for every config check (block
 * fields, message keys, placeholders, rule facts), so they suggest alike.
 */

/** Edits (insert, delete, substitute one character) between two words. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The candidate closest to `word`, if it is within a third of the word's
 * length (at least one edit; case differences count as half an edit, so
 * "productid" finds "productId"). Ties go to the first candidate.
 */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  const allowed = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const folded = editDistance(word.toLowerCase(), candidate.toLowerCase());
    const distance = folded === 0 ? 0.5 : folded;
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `did you mean "x"?`, or undefined when nothing is close. `quote` wraps the suggestion (default: JSON quotes). */
export function didYouMean(word: string, candidates: Iterable<string>, quote: (name: string) => string = (name) => `"${name}"`): string | undefined {
  const closest = closestName(word, candidates);
  return closest === undefined ? undefined : `did you mean ${quote(closest)}?`;
}
