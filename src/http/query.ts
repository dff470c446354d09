/**
 * The one value of a query parameter, or undefined when it is absent or
 * given more than once (ambiguous: for a token, refusing beats guessing).
 * Reads the raw URL; the substring test spares requests without a query.
 */
export function singleQueryValue(url: string, name: string): string | undefined {
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  const values = new URLSearchParams(url.slice(q + 1)).getAll(name);
  return values.length === 1 ? values[0] : undefined;
}

/** The path of a request URL, without its query string. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
