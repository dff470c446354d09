import { countOf } from '../../format/numbers';
import type { ResolveContext } from '../kind';

/**
 * The personal greeting banner and callout both show: a headline and a
 * subline from the block's messages, filled with `{firstName}` and `{points}`
 * (the loyalty balance, formatted in the reader's locale), or the generic
 * messages when the open has no subscriber; and the call to action.
 */
export const greetingPlaceholders = {
  headline: ['firstName', 'points'],
  genericHeadline: [],
  subline: ['firstName', 'points'],
  genericSubline: [],
  cta: [],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export interface Greeting {
  headline: string;
  subline: string;
  cta: { label: string; url: string };
}

/** The greeting for this open; the button links to the block's `defaultUrl`. */
export function resolveGreeting(context: ResolveContext, defaultUrl: string): Greeting {
  const subscriber = context.open.subscriber;
  const profile = subscriber
    ? { firstName: subscriber.firstName, points: countOf(Math.max(0, subscriber.loyaltyPoints), context.open.locale) }
    : null;
  return {
    headline: profile ? context.message('headline', profile) : context.message('genericHeadline'),
    subline: profile ? context.message('subline', profile) : context.message('genericSubline'),
    cta: { label: context.message('cta'), url: defaultUrl },
  };
}
