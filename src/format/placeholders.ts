import { didYouMean } from '../did-you-mean';
import { argumentNames, parseMessage } from './message-syntax';

/**
 * The placeholders a message template names (ICU MessageFormat,
 * format/message-syntax.ts): `{name}`, and plurals
 * `{name, plural, one {# item} other {# items}}` whose branches may hold
 * placeholders of their own. A branch's words are text, never placeholders.
 */
export function placeholdersIn(template: string): string[] {
  const elements = parseMessage(template);
  return elements instanceof Error ? [] : [...argumentNames(elements)];
}

/**
 * What is wrong with a message's placeholders, as one sentence: a template
 * the parser refuses (where, and what a placeholder looks like), or the first
 * placeholder not in `allowed` with what is allowed and the closest allowed
 * name; undefined when the message is well formed and asks only for what it
 * is given.
 */
export function placeholderProblem(template: string, allowed: readonly string[]): string | undefined {
  const elements = parseMessage(template);
  if (elements instanceof Error) {
    const location = (elements as Error & { location?: { start: { offset: number } } }).location;
    const at = location ? ` at character ${location.start.offset + 1}` : '';
    return `not a well-formed message${at} (${elements.message.toLowerCase().replaceAll('_', ' ')}): expected {name} placeholders and {name, plural, one {…} other {…}} plurals, with every "{" closed`;
  }
  const unknown = [...argumentNames(elements)].find((name) => !allowed.includes(name));
  if (unknown === undefined) return undefined;
  const expected = allowed.length === 0 ? 'this message takes no placeholders' : `expected one of: ${allowed.map((name) => `{${name}}`).join(', ')}`;
  const hint = didYouMean(unknown, allowed, (name) => `{${name}}`);
  return `unknown placeholder {${unknown}}${hint ? `; ${hint}` : ''} (${expected})`;
}
