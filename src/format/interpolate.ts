import { pluralRules } from './intl-cache';

/**
 * A number a message counts something with: the figure as the reader writes
 * it, and the number its plural form is chosen by ("1.240" and 1240).
 */
export interface Count {
  readonly count: number;
  readonly text: string;
}

export type MessageValue = string | number | Count | null | undefined;
export type MessageValues = Readonly<Record<string, MessageValue>>;

export function isCount(value: MessageValue): value is Count {
  return typeof value === 'object' && value !== null;
}

/**
 * Fills `{name}` placeholders in a configured message with already formatted
 * values. Unknown placeholders stay visible rather than vanishing, so a typo in
 * the blocks config shows up in the first test email instead of silently.
 *
 * A count chooses among plural forms with ICU MessageFormat's plural syntax,
 * `{points, plural, one {# point} other {# points}}`: the branch is picked by
 * `Intl.PluralRules` for the reader's locale (CLDR's categories zero, one,
 * two, few, many, other; `=0` matches the number exactly), and `#` is the
 * figure (https://unicode-org.github.io/icu/userguide/format_parse/messages/).
 */
const placeholder = /\{(\w+)\}/g;
const pluralStart = /\{\s*(\w+)\s*,\s*plural\s*,/g;

export function interpolate(template: string, values: MessageValues, locale = 'en-US'): string {
  if (!template.includes('{')) return template;
  const plural = template.includes('plural') ? expandPlurals(template, values, locale) : template;
  return plural.replace(placeholder, (match, name: string) => textOf(values[name]) ?? match);
}

function textOf(value: MessageValue): string | undefined {
  if (value === undefined || value === null) return undefined;
  return isCount(value) ? value.text : String(value);
}

function expandPlurals(template: string, values: MessageValues, locale: string): string {
  let out = '';
  let from = 0;
  pluralStart.lastIndex = 0;
  for (let start = pluralStart.exec(template); start; start = pluralStart.exec(template)) {
    const parsed = parsePlural(template, pluralStart.lastIndex);
    if (!parsed) continue;
    const name = start[1] as string;
    const value = values[name];
    const number = isCount(value) ? value.count : typeof value === 'number' ? value : Number.NaN;
    out += template.slice(from, start.index);
    if (Number.isNaN(number)) out += template.slice(start.index, parsed.end);
    else {
      const branch = parsed.branches.get(`=${number}`) ?? parsed.branches.get(pluralRules(locale).select(number)) ?? parsed.branches.get('other') ?? '';
      out += interpolate(branch.replaceAll('#', textOf(value) ?? String(number)), values, locale);
    }
    from = parsed.end;
    pluralStart.lastIndex = parsed.end;
  }
  return out + template.slice(from);
}

/** The `selector {text}` branches of a plural placeholder whose options start at `at`, up to its closing brace. */
function parsePlural(template: string, at: number): { branches: Map<string, string>; end: number } | null {
  const branches = new Map<string, string>();
  let i = at;
  for (;;) {
    while (/\s/.test(template[i] ?? '')) i++;
    if (template[i] === '}') return branches.has('other') ? { branches, end: i + 1 } : null;
    const selector = /^(=\d+|\w+)\s*\{/.exec(template.slice(i));
    if (!selector) return null;
    i += selector[0].length;
    const open = i;
    for (let depth = 1; depth > 0; i++) {
      if (i >= template.length) return null;
      if (template[i] === '{') depth++;
      else if (template[i] === '}') depth--;
    }
    branches.set(selector[1] as string, template.slice(open, i - 1));
  }
}
