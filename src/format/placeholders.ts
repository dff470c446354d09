import { didYouMean } from '../did-you-mean';

/**
 * The placeholders a message template names, in the syntax `interpolate`
 * fills (format/interpolate.ts): `{name}`, and ICU plurals
 * `{name, plural, one {# item} other {# items}}` whose branches may hold
 * placeholders of their own. A branch's words are text, never placeholders.
 */
export function placeholdersIn(template: string): string[] {
  const names = new Set<string>();
  collect(template, names);
  return [...names];
}

const PLACEHOLDER_OR_PLURAL = /\{\s*(\w+)\s*(\}|,\s*plural\s*,)/g;

function collect(template: string, names: Set<string>): void {
  const pattern = new RegExp(PLACEHOLDER_OR_PLURAL);
  for (let match = pattern.exec(template); match; match = pattern.exec(template)) {
    names.add(match[1] as string);
    if (match[2] === '}') continue;
    const end = pluralBranches(template, pattern.lastIndex, (branch) => collect(branch, names));
    if (end !== null) pattern.lastIndex = end;
  }
}

/** Calls `each` with every branch's text of a plural whose options start at `at`; the index after its closing brace, or null if it is not well formed. */
function pluralBranches(template: string, at: number, each: (branch: string) => void): number | null {
  let i = at;
  for (;;) {
    while (/\s/.test(template[i] ?? '')) i++;
    if (template[i] === '}') return i + 1;
    const selector = /^(=\d+|\w+)\s*\{/.exec(template.slice(i));
    if (!selector) return null;
    i += selector[0].length;
    const open = i;
    for (let depth = 1; depth > 0; i++) {
      if (i >= template.length) return null;
      if (template[i] === '{') depth++;
      else if (template[i] === '}') depth--;
    }
    each(template.slice(open, i - 1));
  }
}

/**
 * The first placeholder of `template` that is not in `allowed`, as one
 * sentence naming it, what is allowed and the closest allowed name; undefined
 * when every placeholder is allowed.
 */
export function unknownPlaceholder(template: string, allowed: readonly string[]): string | undefined {
  const unknown = placeholdersIn(template).find((name) => !allowed.includes(name));
  if (unknown === undefined) return undefined;
  const expected = allowed.length === 0 ? 'this message takes no placeholders' : `expected one of: ${allowed.map((name) => `{${name}}`).join(', ')}`;
  const hint = didYouMean(unknown, allowed, (name) => `{${name}}`);
  return `unknown placeholder {${unknown}}${hint ? `; ${hint}` : ''} (${expected})`;
}
