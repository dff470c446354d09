import { z } from 'zod';
import { baseBlockSchema } from '../../blocks/block-config';
import type { AmpListPayload, BlockKind, ResolveContext } from '../kind';
import { ctaSlot } from '../shared/cta-slot';
import { greetingPlaceholders, resolveGreeting } from '../shared/greeting';
import { calloutNarrowHeight, drawCallout, drawCalloutNarrow } from './draw';
import { calloutSamples } from './samples';

const calloutSchema = baseBlockSchema.extend({
  kind: z.literal('callout'),
});
export type CalloutConfig = z.infer<typeof calloutSchema>;

export interface CalloutView {
  kind: 'callout';
  /** e.g. "Emma, your winter edit is here"; the generic headline when the subscriber is unknown. */
  headline: string;
  subline: string;
  cta: { label: string; url: string };
}

const defaultMessages = {
  headline: '{firstName}, your winter edit is here',
  genericHeadline: 'Your winter edit is here',
  subline: 'New coats and knitwear, picked for the cold days ahead.',
  genericSubline: 'New coats and knitwear, picked for the cold days ahead.',
  cta: 'See the edit',
} as const;

/**
 * CALLOUT — a headline and a subline with a call to action, written in the
 * block's messages and personalised from the subscriber's profile:
 * `{firstName}` and `{points}` (their loyalty balance, formatted in their
 * locale). A generic open (no subscriber) shows the generic messages.
 */
export const calloutKind: BlockKind<'callout', CalloutView, CalloutConfig, { config: CalloutConfig }> = {
  name: 'callout',
  configSchema: calloutSchema,
  defaultMessages,
  placeholders: greetingPlaceholders,

  prepare: (config: CalloutConfig) => ({ config }),

  async resolve({ config }, context: ResolveContext): Promise<CalloutView> {
    return {
      kind: 'callout',
      ...resolveGreeting(context, config.defaultUrl),
    };
  },

  toJson(view: CalloutView): AmpListPayload {
    return { items: [view] };
  },

  draw: drawCallout,
  narrow: { height: calloutNarrowHeight, draw: drawCalloutNarrow },
  theme: { height: 200 },
  notShown: ['kind', 'url'],
  samples: calloutSamples,
  clickSlots: ctaSlot,
};
