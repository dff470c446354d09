import type { Pool } from 'pg';
import type { AnswerResult, PollAnswer, PollAnswerStore, SecondAnswerPolicy } from '../ports/poll-answers';
import { inTransaction } from './connection';

const SQL = {
  // DO NOTHING + RETURNING: exactly one of any number of concurrent first answers inserts the row;
  // the others wait for its commit and insert nothing (PostgreSQL manual, "INSERT", ON CONFLICT).
  insert:
    'INSERT INTO poll_answers (campaign_id, poll_id, subscriber_id, answer, answered_at) VALUES ($1, $2, $3, $4, $5) ' +
    'ON CONFLICT (campaign_id, poll_id, subscriber_id) DO NOTHING RETURNING answer',
  lock: 'SELECT answer FROM poll_answers WHERE campaign_id = $1 AND poll_id = $2 AND subscriber_id = $3 FOR UPDATE',
  update: 'UPDATE poll_answers SET answer = $4, answered_at = $5 WHERE campaign_id = $1 AND poll_id = $2 AND subscriber_id = $3',
  results: 'SELECT answer, COUNT(*)::int AS count FROM poll_answers WHERE campaign_id = $1 AND poll_id = $2 GROUP BY answer',
} as const;

/**
 * Poll answers on PostgreSQL (table `poll_answers`). One transaction per
 * answer: insert if none is on record; otherwise lock the row on record and
 * decide against what it holds, so two changes of one subscriber's answer
 * run one after the other.
 */
export class PostgresPollAnswers implements PollAnswerStore {
  constructor(private readonly pool: Pool) {}

  async answer(answer: PollAnswer, policy: SecondAnswerPolicy): Promise<AnswerResult> {
    const key = [answer.campaignId, answer.pollId, answer.subscriberId];
    return inTransaction(this.pool, async (client) => {
      const inserted = await client.query({ text: SQL.insert, values: [...key, answer.answer, answer.answeredAt] });
      if ((inserted.rowCount ?? 0) === 1) return { outcome: 'recorded', answer: answer.answer };
      const stored = (await client.query<{ answer: string }>({ text: SQL.lock, values: key })).rows[0]?.answer;
      // Not there any more: only retention-like deletes could do that; answer as a first vote would be wrong, so refuse.
      if (stored === undefined) return { outcome: 'refused', answer: answer.answer };
      if (stored === answer.answer) return { outcome: 'unchanged', answer: stored };
      if (policy === 'refuse') return { outcome: 'refused', answer: stored };
      await client.query({ text: SQL.update, values: [...key, answer.answer, answer.answeredAt] });
      return { outcome: 'changed', answer: answer.answer };
    });
  }

  async results(campaignId: string, pollId: string): Promise<Record<string, number>> {
    const result = await this.pool.query<{ answer: string; count: number }>({ name: 'opentime.poll-results', text: SQL.results, values: [campaignId, pollId] });
    return Object.fromEntries(result.rows.map((row) => [row.answer, row.count]));
  }
}
