import type { PollAnswerStore } from '../storage/ports/poll-answers';
import { isPoll, type FormsCatalog, type PreparedPoll } from './forms-config';
import { pollWording } from './poll-wording';

/** A poll's results as the JSON answers carry them and the results block draws them. */
export interface PollResults {
  question: string;
  total: number;
  answers: { id: string; label: string; count: number; percent: number }[];
}

/**
 * Counts per configured answer, in the config's order (answers nobody gave
 * count 0; answers no longer configured are left out), with whole percents
 * that add up to 100 (largest remainder), so the bars and the figures never
 * disagree with each other.
 */
export function pollResultsOf(poll: PreparedPoll, counts: Readonly<Record<string, number>>, locale?: string): PollResults {
  const wording = pollWording(poll, locale);
  const answers = poll.answers.map((entry) => ({ id: entry.id, label: wording.labels.get(entry.id) ?? entry.label, count: counts[entry.id] ?? 0, percent: 0 }));
  const total = answers.reduce((sum, entry) => sum + entry.count, 0);
  if (total > 0) {
    const exact = answers.map((entry) => (entry.count * 100) / total);
    answers.forEach((entry, i) => (entry.percent = Math.floor(exact[i] as number)));
    let left = 100 - answers.reduce((sum, entry) => sum + entry.percent, 0);
    const byRemainder = answers.map((_, i) => i).sort((a, b) => (exact[b] as number) - Math.floor(exact[b] as number) - ((exact[a] as number) - Math.floor(exact[a] as number)) || a - b);
    for (const i of byRemainder) {
      if (left <= 0) break;
      (answers[i] as { percent: number }).percent += 1;
      left -= 1;
    }
  }
  return { question: wording.question, total, answers };
}

/** The poll-results kind's reader (ResolveContext.polls): the forms config's polls, counted in `store`, worded for `locale`. */
export function pollResultsReader(forms: FormsCatalog, store: PollAnswerStore): (campaignId: string, pollId: string, locale?: string) => Promise<PollResults | undefined> {
  return async (campaignId, pollId, locale) => {
    const form = forms.forms.get(pollId);
    return form && isPoll(form) ? readPollResults(store, campaignId, form, locale) : undefined;
  };
}

/** Reads a poll's results for one campaign (what the results block and the answers show), in the reader's words when given their locale. */
export async function readPollResults(store: PollAnswerStore, campaignId: string, poll: PreparedPoll, locale?: string): Promise<PollResults> {
  return pollResultsOf(poll, await store.results(campaignId, poll.id), locale);
}
