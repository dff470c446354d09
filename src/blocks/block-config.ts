import { z } from 'zod';
import { experimentSchema } from '../experiments/experiment-config';
import { lockAtFirstOpenSchema } from './lock-config';

/** The options every block has, whatever its kind (README "Blocks"); a kind's schema extends this one. */
export const baseBlockSchema = z.object({
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
  /** First variant whose rule holds replaces messages (e.g. "Last day!" when under 24 h). */
  variants: z
    .array(z.object({ name: z.string().min(1), when: z.unknown(), messages: z.record(z.string(), z.string()).default({}) }))
    .default([]),
  /** When this rule holds, the block shows its fallback instead (e.g. hold back for a segment). */
  holdBackWhen: z.unknown().optional(),
  /** What amp-list shows when data is missing or a rule fails. Defaults to a link to defaultUrl. */
  fallback: z.object({ items: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
  /** The look of the image rendering (README "Images", Themes; render/theme.ts). */
  theme: z.record(z.string(), z.unknown()).default({}),
  /** Variants with weights and an optional holdout, assigned per subscriber (experiments/experiment-config.ts). */
  experiment: experimentSchema.optional(),
  /** Freeze the view of the first human open, with live marks (blocks/lock-at-first-open.ts). */
  lockAtFirstOpen: lockAtFirstOpenSchema,
});

export type BaseBlockConfig = z.infer<typeof baseBlockSchema>;
