import { z } from 'zod';
import { baseBlockSchema } from '../../blocks/block-config';
import { countOf, formatPercent } from '../../format/numbers';
import { HoldBack } from '../hold-back';
import type { AmpListPayload, BlockKind, ResolveContext } from '../kind';
import { ctaSlot } from '../shared/cta-slot';
import { drawPollResults } from './draw';
import { pollResultsNarrow } from './draw-narrow';
import { pollResultsSamples } from './samples';

const pollResultsSchema = baseBlockSchema.extend({
  kind: z.literal('poll-results'),
  /** The poll or rating of the forms config (OPENTIME_FORMS) whose results the block shows. */
  poll: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected the id of a poll or rating in the forms config'),
});
export type PollResultsConfig = z.infer<typeof pollResultsSchema>;

export interface PollResultsView {
  kind: 'poll-results';
  pollId: string;
  question: string;
  /** In config order; `percent` whole and adding up to 100 (0 each with no votes). */
  answers: { id: string; label: string; count: number; percent: number; percentText: string }[];
  /** e.g. "12 votes", in the reader's language and digits. */
  totalText: string;
  cta: { label: string; url: string };
}

const defaultMessages = {
  total: '{votes, plural, =0 {No votes yet} one {# vote} other {# votes}}',
  cta: 'Have your say',
} as const;

/**
 * POLL RESULTS — the live results of a poll or rating of the forms config
 * (README, "Interactive AMP forms"), for the token's campaign: the question,
 * one bar per answer with its percentage, and the number of votes. The JSON
 * is what `GET /amp/v1/forms/:id/results` answers, so the AMP part and the
 * picture of the HTML part show the same figures. A generic open (no
 * campaign) or a poll the forms config does not hold gets the fallback.
 */
export const pollResultsKind: BlockKind<'poll-results', PollResultsView, PollResultsConfig, { config: PollResultsConfig }> = {
  name: 'poll-results',
  configSchema: pollResultsSchema,
  defaultMessages,
  placeholders: { total: ['votes'], cta: [] },

  prepare: (config: PollResultsConfig) => ({ config }),

  async resolve({ config }, context: ResolveContext): Promise<PollResultsView> {
    const campaignId = context.open.campaignId;
    if (!campaignId) throw new HoldBack('poll results need the campaign of a subscriber token', { expected: true });
    const locale = context.open.locale;
    // The question and labels in the reader's language when the forms config translates them.
    const results = await context.polls?.(campaignId, config.poll, locale);
    if (!results) throw new HoldBack(`no poll or rating "${config.poll}" in the forms config`);
    return {
      kind: 'poll-results',
      pollId: config.poll,
      question: results.question,
      answers: results.answers.map((answer) => ({ ...answer, percentText: formatPercent(answer.percent / 100, locale) })),
      totalText: context.message('total', { votes: countOf(results.total, locale) }),
      cta: { label: context.message('cta'), url: config.defaultUrl },
    };
  },

  toJson(view: PollResultsView): AmpListPayload {
    return { items: [view] };
  },

  draw: drawPollResults,
  narrow: pollResultsNarrow,
  theme: { height: 300 },
  notShown: ['kind', 'pollId', 'id', 'url'],
  samples: pollResultsSamples,
  clickSlots: ctaSlot,
};
