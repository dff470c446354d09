import { z } from 'zod';
import { baseBlockSchema } from '../../blocks/block-config';
import { countOf, formatInteger, formatPercent } from '../../format/numbers';
import { HoldBack } from '../hold-back';
import type { AmpListPayload, BlockKind, ResolveContext } from '../kind';
import { ctaSlot } from '../shared/cta-slot';
import { drawLoyalty } from './draw';
import { loyaltyNarrow } from './draw-narrow';
import { loyaltySamples } from './samples';

const tierSchema = z.strictObject({ name: z.string().min(1), minPoints: z.number().int().min(0) });

const loyaltySchema = baseBlockSchema.extend({
  kind: z.literal('loyalty'),
  /** Tiers from lowest to highest. */
  tiers: z
    .array(tierSchema)
    .min(1)
    .default([
      { name: 'Bronze', minPoints: 0 },
      { name: 'Silver', minPoints: 500 },
      { name: 'Gold', minPoints: 2000 },
      { name: 'Platinum', minPoints: 5000 },
    ])
    .refine((tiers) => tiers.every((tier, i) => i === 0 || tier.minPoints > (tiers[i - 1] as { minPoints: number }).minPoints), {
      message: 'expected tiers in ascending order of minPoints, each higher than the one before',
    }),
});
export type LoyaltyConfig = z.infer<typeof loyaltySchema>;

export interface LoyaltyView {
  kind: 'loyalty';
  greeting: string;
  /** The balance, e.g. "1,240". */
  points: string;
  /** e.g. "1,240 points". */
  balance: string;
  /** False below the first tier: not a member yet, progressing to the first tier. */
  member: boolean;
  /** The tier's name, or the not-yet-a-member label below the first tier. */
  tier: string;
  nextTier: string | null;
  /** 0–1 towards the next tier (1 at the top tier). */
  progress: number;
  progressPercent: string;
  /** e.g. "760 points to Platinum", or the top-tier message. */
  progressText: string;
  cta: { label: string; url: string };
}

/** LOYALTY — points balance, tier and progress to the next tier (README "Blocks"); needs a known subscriber. */
export const loyaltyKind: BlockKind<'loyalty', LoyaltyView, LoyaltyConfig, { config: LoyaltyConfig }> = {
  name: 'loyalty',
  configSchema: loyaltySchema,
  defaultMessages: {
    greeting: 'Hi {firstName}, you are a {tier} member',
    greetingNotMember: 'Hi {firstName}, welcome to our rewards club',
    notMemberTier: 'Not a member yet',
    balance: '{points, plural, one {# point} other {# points}}',
    progress: '{remaining, plural, one {# point} other {# points}} to {nextTier}',
    topTier: 'You have reached our top tier',
    cta: 'Use your points',
    ctaNotMember: 'Start earning points',
  },
  placeholders: {
    greeting: ['firstName', 'tier'],
    greetingNotMember: ['firstName'],
    notMemberTier: [],
    balance: ['points'],
    progress: ['remaining', 'nextTier'],
    topTier: [],
    cta: [],
    ctaNotMember: [],
  },

  prepare: (config: LoyaltyConfig) => ({ config }),

  async resolve({ config }, context: ResolveContext): Promise<LoyaltyView> {
    const subscriber = context.open.subscriber;
    if (!subscriber) throw new HoldBack('loyalty needs a known subscriber');
    const { locale } = context.open;
    const points = Math.max(0, subscriber.loyaltyPoints);
    // The stored tier wins (the retailer may grant tiers on more than points); else derive from points.
    // Below the first tier's threshold (-1) the subscriber is not a member yet and progresses towards it.
    const byPoints = config.tiers.reduce((found, tier, index) => (points >= tier.minPoints ? index : found), -1);
    const stored = subscriber.loyaltyTier ? config.tiers.findIndex((tier) => tier.name === subscriber.loyaltyTier) : -1;
    const index = stored >= 0 ? stored : byPoints;
    const tier = config.tiers[index];
    const next = config.tiers[index + 1];
    const floor = tier?.minPoints ?? 0;
    const progress = next ? Math.min(1, Math.max(0, (points - floor) / (next.minPoints - floor))) : 1;
    const formattedPoints = formatInteger(points, locale);
    return {
      kind: 'loyalty',
      greeting: tier
        ? context.message('greeting', { firstName: subscriber.firstName, tier: tier.name })
        : context.message('greetingNotMember', { firstName: subscriber.firstName }),
      points: formattedPoints,
      balance: context.message('balance', { points: { count: points, text: formattedPoints } }),
      member: tier !== undefined,
      tier: tier?.name ?? context.message('notMemberTier'),
      nextTier: next?.name ?? null,
      progress,
      progressPercent: formatPercent(progress, locale),
      progressText: next
        ? context.message('progress', { remaining: countOf(Math.max(0, next.minPoints - points), locale), nextTier: next.name })
        : context.message('topTier'),
      cta: { label: context.message(tier ? 'cta' : 'ctaNotMember'), url: config.defaultUrl },
    };
  },

  toJson(view: LoyaltyView): AmpListPayload {
    return { items: [view] };
  },

  draw: drawLoyalty,
  narrow: loyaltyNarrow,
  theme: { height: 200, fontSizes: { body: 15 } },
  notShown: ['kind', 'url'],
  samples: loyaltySamples,
  clickSlots: ctaSlot,
};
