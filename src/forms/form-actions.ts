import type { Ingestion } from '../storage/ports/ingestion';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { NotifyRequestStore } from '../storage/ports/notify-requests';
import type { PollAnswerStore } from '../storage/ports/poll-answers';
import { HttpError } from '../http/error-catalogue';
import type { SubscriberClaims } from '../tokens/subscriber-token';
import type { FormRequest } from './form-fields';
import { isPoll, type PreparedForm } from './forms-config';
import { readPollResults, type PollResults } from './poll-results';
import { pollWording } from './poll-wording';

export interface FormActionsDeps {
  pollAnswers: PollAnswerStore;
  notifyRequests: NotifyRequestStore;
  /** Preference changes go through ingestion, with its validation and `updatedAt` ordering. */
  ingestion: Pick<Ingestion, 'applySubscriberPatches'>;
  /** The stored catalogue (not the pull overlay): products a notify-me names, subscribers a preference form changes. */
  catalogue: CatalogueReader;
}

/**
 * The JSON a submission answers with (README, "Interactive AMP forms"); the
 * form's submit-success template reads these fields.
 */
export type FormAnswer =
  | { form: string; kind: 'poll' | 'rating'; outcome: 'recorded' | 'changed' | 'unchanged'; answer: string; answerLabel: string; results: PollResults }
  | { form: string; kind: 'notify'; outcome: 'requested' | 'already_requested' | 'in_stock'; inStock: boolean; productId: string; productName: string }
  | { form: string; kind: 'preferences'; outcome: 'updated' | 'unchanged'; changed: string[] };

/**
 * What a form does with one submission, the same for the amp-form POST and
 * the link version. Every write is keyed by the token's subscriber and
 * campaign, never by a field of the body, so a reader can only answer for
 * themselves; and every write is idempotent (a replay answers `unchanged` or
 * `already_requested`).
 */
export class FormActions {
  constructor(private readonly deps: FormActionsDeps) {}

  /** Where poll answers are counted (the results endpoint reads them too). */
  get pollAnswers(): PollAnswerStore {
    return this.deps.pollAnswers;
  }

  /** `locale`: the reader's, for a poll's labels (forms/poll-wording.ts); absent: the forms config's own words. */
  async submit(form: PreparedForm, claims: SubscriberClaims, request: FormRequest, now: Date, locale?: string): Promise<FormAnswer> {
    if (isPoll(form) && request.kind === 'poll') {
      const result = await this.deps.pollAnswers.answer(
        { campaignId: claims.campaignId, pollId: form.id, subscriberId: claims.subscriberId, answer: request.answer, answeredAt: now.getTime() },
        form.secondAnswer,
      );
      const labels = pollWording(form, locale).labels;
      const labelOf = (id: string): string => labels.get(id) ?? id;
      if (result.outcome === 'refused') throw new HttpError('answer_already_given', `Your answer "${labelOf(result.answer)}" is already recorded.`);
      return { form: form.id, kind: form.kind, outcome: result.outcome, answer: result.answer, answerLabel: labelOf(result.answer), results: await readPollResults(this.deps.pollAnswers, claims.campaignId, form, locale) };
    }
    if (form.kind === 'notify' && request.kind === 'notify') {
      const product = await this.deps.catalogue.getProduct(request.productId);
      if (!product) throw new HttpError('product_not_found', `No product "${request.productId.slice(0, 128)}".`);
      // Already back: nothing to wait for, and a request stored now would wait for the next sell-out and restock.
      if (product.stock > 0) return { form: form.id, kind: 'notify', outcome: 'in_stock', inStock: true, productId: product.id, productName: product.name };
      const created = await this.deps.notifyRequests.request({ subscriberId: claims.subscriberId, productId: product.id, campaignId: claims.campaignId, requestedAt: now.getTime() });
      return { form: form.id, kind: 'notify', outcome: created ? 'requested' : 'already_requested', inStock: false, productId: product.id, productName: product.name };
    }
    if (form.kind === 'preferences' && request.kind === 'preferences') {
      if (!(await this.deps.catalogue.getSubscriber(claims.subscriberId))) throw new HttpError('subscriber_not_found', 'This reader has no profile to change yet.');
      const result = await this.deps.ingestion.applySubscriberPatches([{ id: claims.subscriberId, ...request.changes }], { now, onIncomplete: 'abort' });
      return { form: form.id, kind: 'preferences', outcome: result.updated > 0 ? 'updated' : 'unchanged', changed: form.fields.filter((field) => field in request.changes) };
    }
    throw new HttpError('internal', `form ${form.id} (${form.kind}) was handed a ${request.kind} request`);
  }
}
