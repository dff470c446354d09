import { z } from 'zod';
import { blockIssueLines } from '../blocks/config-issues';
import { ConfigError } from '../config';
import { parseDeclarations, readDeclarationsFile } from '../config-file';
import { didYouMean } from '../did-you-mean';

/**
 * The forms config (OPENTIME_FORMS, e.g. config/forms.yaml): the amp-form
 * endpoints an email may post to, declared like blocks (README, "Interactive
 * AMP forms"). Strict at every level, with "did you mean" and every form's
 * problems at once (blocks/config-issues.ts).
 */

const FORM_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ANSWER_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const httpUrl = z.url({ protocol: /^https?$/ });

/** Profile fields a preferences form may change: the ones a reader owns (never loyalty, cart or history). */
export const PREFERENCE_FIELDS = ['firstName', 'locale', 'timeZone', 'currency', 'country', 'city'] as const;
export type PreferenceField = (typeof PREFERENCE_FIELDS)[number];

const base = {
  id: z.string().regex(FORM_ID, 'expected lowercase letters, digits and dashes, starting with a letter or digit (at most 64)'),
};

const answer = z.strictObject({
  id: z.string().regex(ANSWER_ID, 'expected lowercase letters, digits, _ and - (at most 32)'),
  label: z.string().trim().min(1).max(80),
});

/**
 * A poll's wording in other languages (README "Interactive AMP forms"), keyed
 * like a block's translations (`de`, `de-CH`), read like block messages
 * (forms/poll-wording.ts): the reader's locale, then their language, then the
 * untranslated text, each text on its own.
 */
const pollTranslation = z.strictObject({
  question: z.string().trim().min(1).max(200).optional(),
  /** Answer id → label; ids must be the poll's. */
  answers: z.record(z.string(), z.string().trim().min(1).max(80)).optional(),
});
const pollTranslations = z.record(z.string(), pollTranslation).default({});
const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

const pollOptions = {
  question: z.string().trim().min(1).max(200),
  translations: pollTranslations,
  /** A second, different answer of the same subscriber replaces the first (`change`) or is refused (`refuse`). */
  secondAnswer: z.enum(['change', 'refuse']).default('change'),
  /** Where a link vote (HTML and text parts) lands after it is recorded. */
  landingUrl: httpUrl,
};

const pollSchema = z
  .strictObject({ ...base, kind: z.literal('poll'), ...pollOptions, answers: z.array(answer).min(2).max(10) })
  .superRefine((form, context) => {
    const seen = new Set<string>();
    form.answers.forEach((entry, index) => {
      if (seen.has(entry.id)) context.addIssue({ code: 'custom', path: ['answers', index, 'id'], message: `duplicate answer id "${entry.id}"` });
      seen.add(entry.id);
    });
    checkTranslatedAnswers(form.translations, [...seen], context);
  });

/** Translations are keyed by language or locale tags, and may only label the poll's own answers. */
function checkTranslatedAnswers(translations: z.infer<typeof pollTranslations>, answerIds: readonly string[], context: z.RefinementCtx): void {
  for (const [language, translation] of Object.entries(translations)) {
    if (!LANGUAGE_TAG.test(language)) context.addIssue({ code: 'custom', path: ['translations', language], message: `"${language}" is not a language or locale tag; expected one such as de or de-CH` });
    for (const id of Object.keys(translation.answers ?? {})) {
      if (answerIds.includes(id)) continue;
      // A rating's answers are figures: no "did you mean" between them.
      const hint = /^\d+$/.test(id) ? undefined : didYouMean(id, answerIds);
      context.addIssue({ code: 'custom', path: ['translations', language, 'answers', id], message: `unknown answer "${id}"; expected one of: ${answerIds.join(', ')}${hint ? `; ${hint}` : ''}` });
    }
  }
}

const ratingSchema = z
  .strictObject({
    ...base,
    kind: z.literal('rating'),
    ...pollOptions,
    /** Answers are 1…scale; labels default to the figures. */
    scale: z.number().int().min(2).max(10).default(5),
  })
  .superRefine((form, context) => checkTranslatedAnswers(form.translations, Array.from({ length: form.scale }, (_, i) => String(i + 1)), context));

const notifySchema = z.strictObject({ ...base, kind: z.literal('notify') });

const preferencesSchema = z.strictObject({
  ...base,
  kind: z.literal('preferences'),
  fields: z.array(z.enum(PREFERENCE_FIELDS)).min(1),
});

const formSchema = z.discriminatedUnion('kind', [pollSchema, ratingSchema, notifySchema, preferencesSchema]);
const FORM_KINDS = ['poll', 'rating', 'notify', 'preferences'] as const;

const limitsSchema = z
  .strictObject({
    /** Submissions per subscriber token per minute, all forms together. */
    perTokenPerMinute: z.number().int().min(1).max(10_000).default(20),
    /** Submissions per client address per minute (a shared NAT carries many readers). */
    perAddressPerMinute: z.number().int().min(1).max(100_000).default(300),
    /** The largest body accepted, in bytes. */
    maxBodyBytes: z.number().int().min(256).max(65_536).default(4096),
  })
  .prefault({});

const fileSchema = z.strictObject({ limits: limitsSchema, forms: z.array(z.looseObject({ id: z.unknown(), kind: z.unknown() })) });

export type FormLimits = z.infer<typeof limitsSchema>;
export type PollForm = z.infer<typeof pollSchema>;
export type RatingForm = z.infer<typeof ratingSchema>;
export type NotifyForm = z.infer<typeof notifySchema>;
export type PreferencesForm = z.infer<typeof preferencesSchema>;
export type FormConfig = z.infer<typeof formSchema>;

/** A poll or a rating, with its answers spelt out (a rating's are 1…scale). */
export interface PreparedPoll {
  id: string;
  kind: 'poll' | 'rating';
  question: string;
  secondAnswer: 'change' | 'refuse';
  landingUrl: string;
  answers: readonly { id: string; label: string }[];
  /** The question and answer labels in other languages (forms/poll-wording.ts reads them). */
  translations: Readonly<Record<string, { question?: string; answers?: Readonly<Record<string, string>> }>>;
}

export type PreparedForm = PreparedPoll | NotifyForm | PreferencesForm;

export interface FormsCatalog {
  limits: FormLimits;
  forms: ReadonlyMap<string, PreparedForm>;
}

/** No forms: what the server serves without OPENTIME_FORMS. */
export const NO_FORMS: FormsCatalog = { limits: limitsSchema.parse({}), forms: new Map() };

function prepare(form: FormConfig): PreparedForm {
  if (form.kind !== 'poll' && form.kind !== 'rating') return form;
  const answers = form.kind === 'rating' ? Array.from({ length: form.scale }, (_, i) => ({ id: String(i + 1), label: String(i + 1) })) : form.answers;
  return { id: form.id, kind: form.kind, question: form.question, secondAnswer: form.secondAnswer, landingUrl: form.landingUrl, answers, translations: form.translations };
}

/** Parses a forms config (YAML or JSON); throws one ConfigError naming the file, form, path and expected for every problem. */
export function parseFormsConfig(text: string, origin: string): FormsCatalog {
  const document = parseDeclarations(text, origin);
  const shape = fileSchema.safeParse(document);
  if (!shape.success) throw new ConfigError(blockIssueLines(shape.error, fileSchema, document, origin).join('\n'));
  const forms = new Map<string, PreparedForm>();
  const errors: string[] = [];
  const seen = new Set<unknown>();
  shape.data.forms.forEach((raw, index) => {
    const where = `${origin}: forms[${index}]${typeof raw.id === 'string' ? ` (id "${raw.id}")` : ''}`;
    // Reported even when the first form with the id has problems of its own.
    if (typeof raw.id === 'string' && seen.has(raw.id)) {
      errors.push(`${where}: duplicate form id "${raw.id}". Form ids must be unique.`);
      return;
    }
    seen.add(raw.id);
    if (typeof raw.kind !== 'string' || !(FORM_KINDS as readonly string[]).includes(raw.kind)) {
      const hint = typeof raw.kind === 'string' ? didYouMean(raw.kind, FORM_KINDS) : undefined;
      errors.push(`${where}: unknown kind ${JSON.stringify(raw.kind)}; expected one of: ${FORM_KINDS.join(', ')}${hint ? `; ${hint}` : ''}`);
      return;
    }
    const schema = { poll: pollSchema, rating: ratingSchema, notify: notifySchema, preferences: preferencesSchema }[raw.kind as (typeof FORM_KINDS)[number]];
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      errors.push(...blockIssueLines(parsed.error, schema, raw, where));
      return;
    }
    forms.set(parsed.data.id, prepare(parsed.data));
  });
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return { limits: shape.data.limits, forms };
}

export function loadFormsConfig(file: string): FormsCatalog {
  return parseFormsConfig(readDeclarationsFile(file, 'forms config', 'OPENTIME_FORMS').text, file);
}

export function isPoll(form: PreparedForm): form is PreparedPoll {
  return form.kind === 'poll' || form.kind === 'rating';
}
