import { z } from 'zod';
import { experimentSchema } from '../experiments/experiment-config';
import { themeSchema } from '../render/theme';
import { lockAtFirstOpenSchema } from './lock-config';

/**
 * A fallback item is free form; its `translations` (by language or locale) hold the fields that
 * change for a reader, merged over the item (blocks/fallback-item.ts).
 */
const fallbackItemSchema = z.looseObject({
  translations: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

/** The options every block has, whatever its kind (README "Blocks"); a kind's schema extends this one. */
/**
 * Strict at every level that is ours: a key the schema does not know ("colour",
 * "prodcutId") is an error with a suggestion (blocks/config-issues.ts), never
 * silently ignored. Fallback items stay open: the AMP template reads them.
 */
export const baseBlockSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected lowercase letters, digits and dashes, e.g. "flash-countdown"'),
  /** A note for humans; never shown to subscribers. */
  description: z.string().optional(),
  /** Where a click goes when nothing more specific is known; also the fallback's link. */
  defaultUrl: z.url({ protocol: /^https?$/ }),
  /** Used when the subscriber is unknown (generic renders). */
  defaultLocale: z.string().optional(),
  defaultTimeZone: z.string().optional(),
  /** Overrides of the kind's default messages (English). */
  messages: z.record(z.string(), z.string()).default({}),
  /** Per language ("de") or locale ("de-CH") overrides of messages. */
  translations: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  /** First variant whose rule holds replaces messages (e.g. "Last day!" when under 24 h), translated like the block's (blocks/messages.ts). */
  variants: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        when: z.unknown(),
        messages: z.record(z.string(), z.string()).default({}),
        translations: z.record(z.string(), z.record(z.string(), z.string())).default({}),
      }),
    )
    .default([]),
  /** When this rule holds, the block shows its fallback instead (e.g. hold back for a segment). */
  holdBackWhen: z.unknown().optional(),
  /** What amp-list shows when data is missing or a rule fails. Defaults to a link to defaultUrl. */
  fallback: z.strictObject({ items: z.array(fallbackItemSchema).min(1) }).optional(),
  /** The look of the image rendering (README "Images", Themes; render/theme.ts). */
  theme: themeSchema.default({}),
  /** Variants with weights and an optional holdout, assigned per subscriber (experiments/experiment-config.ts). */
  experiment: experimentSchema.optional(),
  /** Freeze the view of the first human open, with live marks (blocks/lock-at-first-open.ts). */
  lockAtFirstOpen: lockAtFirstOpenSchema,
});

export type BaseBlockConfig = z.infer<typeof baseBlockSchema>;
