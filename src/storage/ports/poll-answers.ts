/** One subscriber's answer to one poll (or rating) of one campaign. */
export interface PollAnswer {
  campaignId: string;
  pollId: string;
  subscriberId: string;
  answer: string;
  /** Epoch milliseconds of the submission that set it. */
  answeredAt: number;
}

/** What a second answer of the same subscriber does: replace the first, or be refused (config `secondAnswer`). */
export type SecondAnswerPolicy = 'change' | 'refuse';

/**
 * What became of one submission:
 * - `recorded`: the subscriber's first answer;
 * - `changed`: a different answer replaced theirs (policy `change`);
 * - `unchanged`: the same answer again (a replay, a double tap): nothing written;
 * - `refused`: a different answer under policy `refuse`: nothing written.
 * `answer` is the answer on record afterwards.
 */
export interface AnswerResult {
  outcome: 'recorded' | 'changed' | 'unchanged' | 'refused';
  answer: string;
}

/**
 * Poll and rating answers (forms/, docs/ARCHITECTURE.md "Interactive AMP forms").
 *
 * Promises every implementation keeps (test/storage/contract.ts):
 * - one answer per campaign, poll and subscriber, across processes: of any
 *   number of concurrent submissions for one key, from any number of Storage
 *   instances, the count of answers for that key is exactly one, and exactly
 *   one of them resolves `recorded`;
 * - `results` counts every subscriber once, by their answer on record, as
 *   committed when it is called; answers nobody gave are absent.
 */
export interface PollAnswerStore {
  answer(answer: PollAnswer, policy: SecondAnswerPolicy): Promise<AnswerResult>;
  /** Answer → how many subscribers gave it, for one poll of one campaign. */
  results(campaignId: string, pollId: string): Promise<Record<string, number>>;
}
