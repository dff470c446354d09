import { TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { pluralRules } from './intl-cache';
import { parseMessage } from './message-syntax';

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

function isCount(value: MessageValue): value is Count {
  return typeof value === 'object' && value !== null;
}

/**
 * Fills a configured message (ICU MessageFormat, format/message-syntax.ts)
 * with already formatted values. A placeholder without a value stays visible
 * rather than vanishing, so a gap shows up in the first test email instead of
 * silently; a template the parser refuses is shown as written (configured
 * messages are checked at start-up, blocks/blocks-config.ts).
 *
 * A plural's branch is chosen by `Intl.PluralRules` for the reader's locale
 * (CLDR's categories zero, one, two, few, many, other; `=0` matches the
 * number exactly), and `#` is the figure as the reader writes it.
 */
export function interpolate(template: string, values: MessageValues, locale = 'en-US'): string {
  if (!template.includes('{')) return template;
  const elements = parseMessage(template);
  return elements instanceof Error ? template : fill(elements, template, values, locale, undefined);
}

function fill(elements: readonly MessageFormatElement[], template: string, values: MessageValues, locale: string, pound: string | undefined): string {
  let out = '';
  for (const element of elements) {
    switch (element.type) {
      case TYPE.literal:
        out += element.value;
        break;
      case TYPE.pound:
        out += pound ?? '#';
        break;
      case TYPE.tag:
        out += `<${element.value}>${fill(element.children, template, values, locale, pound)}</${element.value}>`;
        break;
      case TYPE.plural: {
        const value = values[element.value];
        const number = isCount(value) ? value.count : typeof value === 'number' ? value : Number.NaN;
        if (Number.isNaN(number)) {
          out += sourceOf(element, template);
          break;
        }
        const category = element.pluralType === 'ordinal' ? new Intl.PluralRules(locale, { type: 'ordinal' }).select(number) : pluralRules(locale).select(number);
        const branch = element.options[`=${number}`] ?? element.options[category] ?? element.options.other;
        out += branch ? fill(branch.value, template, values, locale, textOf(value) ?? String(number)) : '';
        break;
      }
      case TYPE.select: {
        const text = textOf(values[element.value]);
        const branch = (text !== undefined ? element.options[text] : undefined) ?? element.options.other;
        out += branch ? fill(branch.value, template, values, locale, pound) : sourceOf(element, template);
        break;
      }
      default:
        // {name}, and {name, number|date|time}: values arrive formatted for the reader already.
        out += textOf(values[element.value]) ?? sourceOf(element, template);
    }
  }
  return out;
}

function textOf(value: MessageValue): string | undefined {
  if (value === undefined || value === null) return undefined;
  return isCount(value) ? value.text : String(value);
}

/** The element as the template wrote it. */
function sourceOf(element: MessageFormatElement, template: string): string {
  return element.location ? template.slice(element.location.start.offset, element.location.end.offset) : `{${'value' in element ? element.value : ''}}`;
}
