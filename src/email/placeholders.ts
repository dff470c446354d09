/**
 * Template placeholders. `amp-list src` must be a literal https URL without
 * `{{…}}` (AMP for Email), so a template cannot use a mustache or ESP merge tag
 * there while it is being authored and validated. Instead templates carry these
 * two explicit markers, replaced by our tools:
 *
 *   %%OPENTIME_BASE_URL%%  the server's public origin (config publicUrl), no trailing slash
 *   %%OPENTIME_TOKEN%%     the recipient's subscriber token (URL-safe)
 *
 * `opentime email` fills both for one subscriber; `opentime export` fills the
 * base URL and turns the token into an ESP merge tag; `opentime validate`
 * fills both with same-length dummies so reported columns match the source.
 * See amp-templates/README.md.
 */
export const PLACEHOLDERS = {
  baseUrl: '%%OPENTIME_BASE_URL%%',
  token: '%%OPENTIME_TOKEN%%',
} as const;

/** Anything that looks like one of our placeholders, known or not (typos are caught by validate). */
const PLACEHOLDER_LIKE = /%%OPENTIME_[A-Za-z0-9_]*%%/g;

export interface PlaceholderValues {
  /** An origin such as https://opentime.shop.example (a trailing slash is dropped). */
  baseUrl: string;
  /** Inserted as given: a token (already URL-safe) or an ESP merge tag. */
  token: string;
}

export class PlaceholderError extends Error {
  override name = 'PlaceholderError';
}

export function unknownPlaceholders(text: string): { name: string; offset: number }[] {
  const known = new Set<string>(Object.values(PLACEHOLDERS));
  const found: { name: string; offset: number }[] = [];
  for (const match of text.matchAll(PLACEHOLDER_LIKE)) {
    if (!known.has(match[0])) found.push({ name: match[0], offset: match.index ?? 0 });
  }
  return found;
}

/** Replaces both placeholders; refuses a text with an unknown %%OPENTIME_…%% marker. */
export function fillPlaceholders(text: string, values: PlaceholderValues, origin = 'template'): string {
  const unknown = unknownPlaceholders(text);
  if (unknown.length) {
    throw new PlaceholderError(
      `${origin}: unknown placeholder ${unknown[0]!.name}. Expected ${PLACEHOLDERS.baseUrl} or ${PLACEHOLDERS.token}.`,
    );
  }
  const baseUrl = values.baseUrl.replace(/\/+$/, '');
  return text.split(PLACEHOLDERS.baseUrl).join(baseUrl).split(PLACEHOLDERS.token).join(values.token);
}

/**
 * Values for validation: a syntactically valid https origin and a token of
 * exactly the placeholders' lengths, so every line:col the engine reports
 * points at the same character in the template as written.
 */
export const VALIDATION_VALUES: PlaceholderValues = {
  baseUrl: `https://${'a'.repeat(PLACEHOLDERS.baseUrl.length - 'https://'.length - '.example'.length)}.example`,
  token: 'x'.repeat(PLACEHOLDERS.token.length),
};
