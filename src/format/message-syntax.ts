import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

/**
 * Messages are written in ICU MessageFormat
 * (https://unicode-org.github.io/icu/userguide/format_parse/messages/):
 * `{name}` placeholders and `{name, plural, one {# point} other {# points}}`
 * plurals, parsed by formatjs's parser. HTML-like tags are plain text here:
 * messages are drawn into pictures and filled into amp-mustache markup, never
 * parsed as HTML.
 */
export type MessageElements = readonly MessageFormatElement[];

/** Parsed once per distinct template: a config holds a bounded set, and opens reuse them. */
const MAX_PARSED = 10_000;
const parsed = new Map<string, MessageElements | Error>();

/** The template's elements, or the parser's error for a template that is not well formed. */
export function parseMessage(template: string): MessageElements | Error {
  let elements = parsed.get(template);
  if (elements === undefined) {
    try {
      elements = parse(template, { ignoreTag: true, captureLocation: true });
    } catch (error) {
      elements = error instanceof Error ? error : new Error(String(error));
    }
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(template, elements);
  }
  return elements;
}

/** Every placeholder name a message's elements use, plural and select branches included. */
export function argumentNames(elements: MessageElements, into: Set<string> = new Set()): Set<string> {
  for (const element of elements) {
    if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
    if (element.type === TYPE.tag) {
      argumentNames(element.children, into);
      continue;
    }
    into.add(element.value);
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      for (const option of Object.values(element.options)) argumentNames(option.value, into);
    }
  }
  return into;
}
