import { isPoll, type FormsCatalog } from '../forms/forms-config';
import { VALIDATION_VALUES, PLACEHOLDERS } from '../email/placeholders';
import { attribute, type HtmlElement } from './html-scan';

/**
 * The template checks for AMP forms (README, "Interactive AMP forms"): every
 * amp-form posting to Opentime names a configured form, carries the token,
 * posts, and has submit-success and submit-error templates (amp-form shows
 * nothing otherwise); a results amp-list names a poll; every link vote names
 * a configured poll answer; a poll in the AMP part has its link version in
 * the HTML part.
 */

const FORM_ACTION = /^\/amp\/v1\/forms\/([a-z0-9][a-z0-9-]{0,63})$/;
const FORM_RESULTS = /^\/amp\/v1\/forms\/([a-z0-9][a-z0-9-]{0,63})\/results$/;
const FORM_LINK = /^\/c\/v1\/forms\/([a-z0-9][a-z0-9-]{0,63})\/([^/]+)$/;

export type FormUrl = { kind: 'action' | 'results'; formId: string; token: string | null } | { kind: 'link'; formId: string; answer: string; token: string | null };

/** An Opentime form URL (action, results or link vote), or null. */
function parseFormUrl(url: string): FormUrl | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const token = parsed.searchParams.get('t');
  let match = FORM_ACTION.exec(parsed.pathname);
  if (match) return { kind: 'action', formId: match[1] as string, token };
  match = FORM_RESULTS.exec(parsed.pathname);
  if (match) return { kind: 'results', formId: match[1] as string, token };
  match = FORM_LINK.exec(parsed.pathname);
  if (match) return { kind: 'link', formId: match[1] as string, answer: decodeURIComponent(match[2] as string), token };
  return null;
}

export interface FormProblem {
  offset: number;
  severity: 'error' | 'warning';
  rule: string;
  message: string;
}

function known(forms: FormsCatalog): string {
  return forms.forms.size ? [...forms.forms.keys()].join(', ') : 'none (set OPENTIME_FORMS)';
}

function tokenProblem(url: FormUrl, offset: number, what: string): FormProblem[] {
  if (url.token === VALIDATION_VALUES.token) return [];
  return [{ offset, severity: 'error', rule: 'token', message: `${what} must carry the recipient's token: end it with ?t=${PLACEHOLDERS.token}.` }];
}

/** One <form> of the AMP part; returns the poll it answers, if any. */
export function checkAmpForm(element: HtmlElement, forms: FormsCatalog, problems: FormProblem[]): string | undefined {
  const action = attribute(element, 'action-xhr');
  const url = action ? parseFormUrl(action.value) : null;
  if (!action || !url || url.kind !== 'action') return undefined;
  problems.push(...tokenProblem(url, action.valueOffset, 'A form action-xhr'));
  const form = forms.forms.get(url.formId);
  if (!form) {
    problems.push({ offset: action.valueOffset, severity: 'error', rule: 'unknown-form', message: `A form posts to form "${url.formId}", which is not in the forms config. Known forms: ${known(forms)}.` });
    return undefined;
  }
  if ((attribute(element, 'method')?.value ?? '').toLowerCase() !== 'post') {
    problems.push({ offset: element.offset, severity: 'error', rule: 'form-method', message: `Form "${url.formId}" must have method="post": the endpoint answers POST only.` });
  }
  for (const state of ['submit-success', 'submit-error']) {
    const child = findDescendant(element, (candidate) => candidate.attributes.some((a) => a.name === state));
    if (!child || !findDescendant(child, (candidate) => candidate.name === 'template')) {
      problems.push({ offset: element.offset, severity: 'error', rule: 'form-templates', message: `Form "${url.formId}" has no <div ${state}> with an amp-mustache <template>: the reader would see nothing after submitting.` });
    }
  }
  return isPoll(form) ? form.id : undefined;
}

/** An amp-list whose src is a form URL: it must name a poll's results. */
export function checkResultsList(src: { value: string; valueOffset: number }, forms: FormsCatalog, problems: FormProblem[]): boolean {
  const url = parseFormUrl(src.value);
  if (!url || url.kind !== 'results') return false;
  problems.push(...tokenProblem(url, src.valueOffset, 'amp-list src'));
  const form = forms.forms.get(url.formId);
  if (!form || !isPoll(form)) {
    problems.push({ offset: src.valueOffset, severity: 'error', rule: 'unknown-form', message: `amp-list src names the results of "${url.formId}", which is not a poll or rating of the forms config. Known forms: ${known(forms)}.` });
  }
  return true;
}

/** A link of the HTML or text part; returns the poll it votes in, if it is a valid link vote. */
export function checkFormLink(href: string, offset: number, forms: FormsCatalog, problems: FormProblem[]): string | undefined {
  const url = parseFormUrl(href);
  if (!url || url.kind !== 'link') return undefined;
  problems.push(...tokenProblem(url, offset, 'A link vote'));
  const form = forms.forms.get(url.formId);
  if (!form || !isPoll(form)) {
    problems.push({ offset, severity: 'error', rule: 'unknown-form', message: `A link votes in "${url.formId}", which is not a poll or rating of the forms config. Known forms: ${known(forms)}.` });
    return undefined;
  }
  if (!form.answers.some((entry) => entry.id === url.answer)) {
    problems.push({ offset, severity: 'error', rule: 'unknown-answer', message: `A link votes "${url.answer}" in "${form.id}"; expected one of: ${form.answers.map((entry) => entry.id).join(', ')}.` });
    return undefined;
  }
  return form.id;
}

function findDescendant(element: HtmlElement, test: (candidate: HtmlElement) => boolean): HtmlElement | undefined {
  for (const child of element.children) {
    if (test(child)) return child;
    const deeper = findDescendant(child, test);
    if (deeper) return deeper;
  }
  return undefined;
}
