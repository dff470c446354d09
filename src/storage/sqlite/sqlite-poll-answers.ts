import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { AnswerResult, PollAnswer, PollAnswerStore, SecondAnswerPolicy } from '../ports/poll-answers';

/**
 * Poll answers on SQLite (table `poll_answers`, migration 10). One immediate
 * transaction per answer: read the answer on record, then insert or replace
 * it, with the write lock held, so another process's answer for the same key
 * waits its turn (busy_timeout) and then sees this one.
 */
export class SqlitePollAnswers implements PollAnswerStore {
  private readonly answerTx: Transaction<(answer: PollAnswer, policy: SecondAnswerPolicy) => AnswerResult>;
  private readonly stmtResults: Statement<[string, string], { answer: string; count: number }>;

  constructor(db: Database) {
    const stmtGet: Statement<[string, string, string], { answer: string }> = db.prepare(
      'SELECT answer FROM poll_answers WHERE campaign_id = ? AND poll_id = ? AND subscriber_id = ?',
    );
    const stmtPut: Statement<[string, string, string, string, number]> = db.prepare(
      'INSERT INTO poll_answers (campaign_id, poll_id, subscriber_id, answer, answered_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (campaign_id, poll_id, subscriber_id) DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at',
    );
    this.stmtResults = db.prepare('SELECT answer, COUNT(*) AS count FROM poll_answers WHERE campaign_id = ? AND poll_id = ? GROUP BY answer');
    this.answerTx = db.transaction((answer: PollAnswer, policy: SecondAnswerPolicy): AnswerResult => {
      const stored = stmtGet.get(answer.campaignId, answer.pollId, answer.subscriberId)?.answer;
      if (stored === answer.answer) return { outcome: 'unchanged', answer: stored };
      if (stored !== undefined && policy === 'refuse') return { outcome: 'refused', answer: stored };
      stmtPut.run(answer.campaignId, answer.pollId, answer.subscriberId, answer.answer, answer.answeredAt);
      return { outcome: stored === undefined ? 'recorded' : 'changed', answer: answer.answer };
    });
  }

  async answer(answer: PollAnswer, policy: SecondAnswerPolicy): Promise<AnswerResult> {
    return this.answerTx.immediate(answer, policy);
  }

  async results(campaignId: string, pollId: string): Promise<Record<string, number>> {
    return Object.fromEntries(this.stmtResults.all(campaignId, pollId).map((row) => [row.answer, row.count]));
  }
}
