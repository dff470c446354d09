import { z } from 'zod';
import { subscriberPatchSchema } from '../api/payload-schemas';
import type { ItemProblem } from '../http/error-catalogue';
import type { SubscriberPatch } from '../data/patches';
import { isPoll, type PreparedForm } from './forms-config';

/**
 * What one submission asks, read from the form's fields as amp-form posts
 * them (every value a string): only the fields the form's kind knows, each
 * once; anything else is refused with the field named (README, "Interactive
 * AMP forms"). Fields whose names start with `__amp_` are the AMP runtime's
 * own and are ignored.
 */
export type FormRequest =
  | { kind: 'poll'; answer: string }
  | { kind: 'notify'; productId: string }
  | { kind: 'preferences'; changes: Omit<SubscriberPatch, 'id'> };

export type FormFields = Readonly<Record<string, string | readonly string[] | undefined>>;

const productId = z.string().trim().min(1).max(128);

/** The request, or one problem per bad field (index -1: a form is one record). */
export function readFormFields(form: PreparedForm, fields: FormFields): { request: FormRequest } | { errors: ItemProblem[] } {
  const errors: ItemProblem[] = [];
  const known = knownFields(form);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (name.startsWith('__amp_') || value === undefined) continue;
    if (!known.includes(name)) {
      errors.push({ index: -1, path: name, message: `unknown field; expected ${known.map((field) => `"${field}"`).join(', ')}` });
      continue;
    }
    if (typeof value !== 'string') {
      errors.push({ index: -1, path: name, message: 'given more than once; expected one value' });
      continue;
    }
    values[name] = value;
  }
  if (errors.length) return { errors };

  if (isPoll(form)) {
    const answer = values.answer;
    const ids = form.answers.map((entry) => entry.id);
    if (answer === undefined || answer === '') return { errors: [{ index: -1, path: 'answer', message: `missing; expected one of: ${ids.join(', ')}` }] };
    if (!ids.includes(answer)) return { errors: [{ index: -1, path: 'answer', message: `expected one of: ${ids.join(', ')}; received ${JSON.stringify(answer.slice(0, 40))}` }] };
    return { request: { kind: 'poll', answer } };
  }
  if (form.kind === 'notify') {
    const parsed = productId.safeParse(values.productId);
    if (!parsed.success) return { errors: [{ index: -1, path: 'productId', message: 'missing; expected the id of the sold-out product' }] };
    return { request: { kind: 'notify', productId: parsed.data } };
  }
  // Preferences: the ingestion API's own schema, so a form cannot write what the API would refuse.
  const changes: Record<string, string | null> = {};
  for (const field of form.fields) {
    const value = values[field];
    if (value === undefined) continue;
    // An emptied country or city clears it; an emptied name or locale is simply not changed.
    if (value.trim() === '') {
      if (field === 'country' || field === 'city') changes[field] = null;
      continue;
    }
    changes[field] = field === 'country' || field === 'currency' ? value.trim().toUpperCase() : value.trim();
  }
  const parsed = subscriberPatchSchema.safeParse({ id: 'form', ...changes });
  if (!parsed.success) {
    return { errors: parsed.error.issues.map((issue) => ({ index: -1, path: issue.path.join('.'), message: issue.message })) };
  }
  if (Object.keys(changes).length === 0) return { errors: [{ index: -1, path: '', message: `no field to change; expected one of: ${form.fields.join(', ')}` }] };
  const { id: _id, ...patch } = parsed.data;
  return { request: { kind: 'preferences', changes: patch } };
}

function knownFields(form: PreparedForm): readonly string[] {
  if (isPoll(form)) return ['answer'];
  if (form.kind === 'notify') return ['productId'];
  return form.fields;
}
