import { translationKeys } from '../blocks/messages';
import type { PreparedPoll } from './forms-config';

/** A poll's question and answer labels, as one reader reads them. */
export interface PollWording {
  question: string;
  /** Answer id → label. */
  labels: ReadonlyMap<string, string>;
}

/** Most locales whose wording a poll keeps; past it the wording is built afresh (as blocks/messages.ts does). */
const MAX_LOCALES_PER_POLL = 200;
const wordingsByPoll = new WeakMap<PreparedPoll, Map<string, PollWording>>();

/**
 * The poll's wording for a reader (README "Interactive AMP forms"), looked up
 * like a block's messages (blocks/messages.ts): each text takes the first of
 * the reader's locale (`de-CH`), their language (`de`), then the untranslated
 * text of the forms config, on its own, so a translation may leave a label out.
 * No locale (a generic open): the untranslated text.
 */
export function pollWording(poll: PreparedPoll, locale?: string): PollWording {
  // Built once per (poll, locale) like a block's message tables (blocks/messages.ts), not on every open of a results block.
  let byLocale = wordingsByPoll.get(poll);
  if (!byLocale) wordingsByPoll.set(poll, (byLocale = new Map()));
  const key = locale ?? '';
  let wording = byLocale.get(key);
  if (!wording) {
    wording = buildWording(poll, locale);
    if (byLocale.size < MAX_LOCALES_PER_POLL) byLocale.set(key, wording);
  }
  return wording;
}

function buildWording(poll: PreparedPoll, locale: string | undefined): PollWording {
  const translations = (locale ? translationKeys(locale) : []).flatMap((key) => poll.translations[key] ?? []);
  const question = translations.find((entry) => entry.question !== undefined)?.question ?? poll.question;
  const labels = new Map(poll.answers.map((answer) => [answer.id, translations.find((entry) => entry.answers?.[answer.id] !== undefined)?.answers?.[answer.id] ?? answer.label]));
  return { question, labels };
}
