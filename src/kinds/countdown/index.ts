import { z } from 'zod';
import { baseBlockSchema } from '../../blocks/block-config';
import { formatDeadline } from '../../format/dates';
import { formatInteger, formatTwoDigits, formatUnit, unitLabel } from '../../format/numbers';
import { HoldBack } from '../hold-back';
import type { AmpListPayload, BlockKind, ResolveContext } from '../kind';
import { ctaSlot } from '../shared/cta-slot';
import { countdownTicks, drawCountdown } from './draw';
import { countdownNarrow } from './draw-narrow';
import { countdownSamples } from './samples';
import { deadlineOptionSchema, prepareEvergreenDeadline, type EvergreenDeadline } from './deadline';

const countdownSchema = baseBlockSchema
  .extend({
    kind: z.literal('countdown'),
    /** A fixed deadline; by default the deadline of the campaign in the token. */
    endsAt: z.iso.datetime({ offset: true }).optional(),
    /** The subscriber's own deadline (deadline.ts): after their first human open, or a date of their profile. */
    deadline: deadlineOptionSchema.optional(),
  })
  .superRefine((config, context) => {
    if (config.endsAt !== undefined && config.deadline !== undefined) {
      context.addIssue({ code: 'custom', path: ['deadline'], message: 'expected either endsAt (one deadline for everyone) or deadline (each subscriber their own), not both' });
    }
  });
export type CountdownConfig = z.infer<typeof countdownSchema>;

export type CountdownUnitKey = 'days' | 'hours' | 'minutes' | 'seconds';

export interface CountdownView {
  kind: 'countdown';
  state: 'running' | 'expired';
  headline: string;
  /** Shown under the figures; the expired state has its own. */
  message: string;
  /** The deadline in the subscriber's zone and locale, e.g. "Ends Wed, Nov 25, 6:00 PM EST". */
  deadlineText: string;
  /** ISO deadline, for clients that tick on their own. */
  deadline: string;
  /** Whole seconds left at the moment of the open (0 once expired). */
  secondsLeft: number;
  /** The four figures with their localized unit names; empty once expired. */
  units: { key: CountdownUnitKey; value: string; label: string }[];
  /** One line, e.g. "2 days 03:14:05". Empty once expired. */
  text: string;
  cta: { label: string; url: string };
}

const defaultMessages = {
  headline: 'Sale ends in',
  message: 'Ends {deadline}',
  expiredHeadline: 'This sale has ended',
  expiredMessage: 'New offers are waiting for you.',
  cta: 'Shop the sale',
  expiredCta: "See what's new",
} as const;

/** Splits whole seconds into the four figures a countdown shows. */
export function splitSeconds(total: number): Record<CountdownUnitKey, number> {
  return {
    days: Math.floor(total / 86_400),
    hours: Math.floor((total % 86_400) / 3_600),
    minutes: Math.floor((total % 3_600) / 60),
    seconds: total % 60,
  };
}

const unitNames = { days: 'day', hours: 'hour', minutes: 'minute', seconds: 'second' } as const;

/** A countdown block as prepared: its config, and its evergreen deadline when it sets one (deadline.ts). */
interface CountdownState {
  config: CountdownConfig;
  evergreen?: EvergreenDeadline;
}

/** The moment this open counts to: the subscriber's own (deadline.ts), else the block's endsAt, else the campaign's. */
async function deadlineOf({ config, evergreen }: CountdownState, context: ResolveContext): Promise<Date> {
  if (evergreen) return evergreen(context);
  const endsAt = config.endsAt ?? context.open.campaign?.endsAt;
  // A campaign without a deadline is a choice, not missing data: the fallback, without a log line per open (README, "Campaigns").
  if (!endsAt) throw new HoldBack('no deadline: the campaign has no endsAt and the block sets none', { expected: true });
  return new Date(endsAt);
}

/**
 * COUNTDOWN — time left to the campaign's deadline (or the block's `endsAt`,
 * or the subscriber's own `deadline`, deadline.ts), and a distinct expired
 * state (README "Blocks"). Asked for as `.gif`, a
 * running countdown is sixty frames one second apart.
 */
export const countdownKind: BlockKind<'countdown', CountdownView, CountdownConfig, CountdownState> = {
  name: 'countdown',
  configSchema: countdownSchema,
  defaultMessages,
  placeholders: {
    headline: ['deadline'],
    message: ['deadline'],
    expiredHeadline: [],
    expiredMessage: ['deadline'],
    cta: [],
    expiredCta: [],
  },

  prepare: (config: CountdownConfig): CountdownState => (config.deadline ? { config, evergreen: prepareEvergreenDeadline(config.deadline) } : { config }),

  async resolve(state, context: ResolveContext): Promise<CountdownView> {
    const { config } = state;
    const { open } = context;
    const deadline = await deadlineOf(state, context);
    const secondsLeft = Math.max(0, Math.floor((deadline.getTime() - open.now.getTime()) / 1000));
    const deadlineText = formatDeadline(deadline, open.locale, open.timeZone);
    const deadlineIso = deadline.toISOString();

    if (secondsLeft === 0) {
      return {
        kind: 'countdown',
        deadline: deadlineIso,
        deadlineText,
        secondsLeft,
        state: 'expired',
        headline: context.message('expiredHeadline'),
        message: context.message('expiredMessage', { deadline: deadlineText }),
        units: [],
        text: '',
        cta: { label: context.message('expiredCta'), url: config.defaultUrl },
      };
    }

    const parts = splitSeconds(secondsLeft);
    const units = (Object.keys(unitNames) as CountdownUnitKey[]).map((key) => ({
      key,
      value: key === 'days' ? formatInteger(parts[key], open.locale) : formatTwoDigits(parts[key], open.locale),
      label: unitLabel(parts[key], unitNames[key], open.locale),
    }));
    const clock = [parts.hours, parts.minutes, parts.seconds].map((n) => formatTwoDigits(n, open.locale)).join(':');
    return {
      kind: 'countdown',
      deadline: deadlineIso,
      deadlineText,
      secondsLeft,
      state: 'running',
      headline: context.message('headline', { deadline: deadlineText }),
      message: context.message('message', { deadline: deadlineText }),
      units,
      text: parts.days > 0 ? `${formatUnit(parts.days, 'day', open.locale)} ${clock}` : clock,
      cta: { label: context.message('cta'), url: config.defaultUrl },
    };
  },

  toJson(view: CountdownView): AmpListPayload {
    return { items: [view] };
  },

  draw: drawCountdown,
  narrow: countdownNarrow,
  theme: { height: 160 },
  notShown: ['kind', 'state', 'deadline', 'key', 'url'],
  samples: countdownSamples,
  clickSlots: ctaSlot,
  animation: { ticking: (view) => view.state === 'running', ticks: countdownTicks },
  refusesLockAtFirstOpen: 'a countdown cannot be locked, its figures are the time left now',
};
