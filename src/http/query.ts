/** Shared answer for URLs without a query string; never modified. */
const NO_QUERY: Readonly<URLSearchParams> = new URLSearchParams();

/** The query parameters of a request URL, parsed once per request. */
export function queryParams(url: string): Readonly<URLSearchParams> {
  const q = url.indexOf('?');
  return q === -1 ? NO_QUERY : new URLSearchParams(url.slice(q + 1));
}

/**
 * The one value of a query parameter, or undefined when it is absent or
 * given more than once (ambiguous: for a token, refusing beats guessing).
 */
export function singleValue(params: Readonly<URLSearchParams>, name: string): string | undefined {
  const values = params.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}

/** The path of a request URL, without its query string. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
