import { z } from 'zod';
import type { Store } from '../data/store';
import type { PreparedExperiment } from '../experiments/assignment';
import { experimentSchema } from '../experiments/experiment-config';
import type { Open } from '../open/open';
import type { CompiledRule } from '../rules/rule';
import type { RuleFacts } from '../rules/facts';
import { lockAtFirstOpenSchema, type PreparedLock } from './lock-config';

/** The amp-list payload: amp-list reads `items` by default. */
export interface AmpListPayload {
  items: unknown[];
}

/** Common to every block, whatever its kind. */
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
  /** The look of the image rendering (issue 3). */
  theme: z.record(z.string(), z.unknown()).default({}),
  /** Variants with weights and an optional holdout, assigned per subscriber (issue 6; experiments/experiment-config.ts). */
  experiment: experimentSchema.optional(),
  /** Freeze the view of the first human open, with live marks (issue 6; blocks/lock-at-first-open.ts). */
  lockAtFirstOpen: lockAtFirstOpenSchema,
});

export type BaseBlockConfig = z.infer<typeof baseBlockSchema>;

/** Everything a kind's resolve needs besides its config: the open, the data, the rule facts and messages. */
export interface ResolveContext {
  open: Open;
  store: Store;
  facts: RuleFacts;
  /** The message for a key after translations and variants, with `{placeholders}` filled. */
  message(key: string, values?: Readonly<Record<string, string | number | null | undefined>>): string;
}

export interface BlockView {
  kind: string;
}

/**
 * One module per kind, each with the same shape (DESIGN.md): a config schema,
 * `prepare` (compile the kind's rules once, at start-up), `resolve` (data +
 * rules → a view whose strings are all formatted) and `toJson`.
 */
export interface BlockKind<Config extends BaseBlockConfig, Prepared extends { config: Config }, View extends BlockView> {
  readonly name: string;
  readonly configSchema: z.ZodType<Config, any>;
  /** English defaults; the README lists the keys. Config messages may only use these keys. */
  readonly defaultMessages: Readonly<Record<string, string>>;
  /** Compiles the kind's own rules; throws RuleError naming the rule's place. */
  prepare(config: Config, where: string): Prepared;
  resolve(prepared: Prepared, context: ResolveContext): Promise<View>;
  toJson(view: View): AmpListPayload;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds kinds of every config type
export type AnyBlockKind = BlockKind<any, any, any>;

/** A block ready to serve: config validated, every rule compiled, the kind's functions bound. */
export interface PreparedBlock {
  config: BaseBlockConfig;
  kind: AnyBlockKind;
  holdBack: CompiledRule | null;
  variants: { name: string; when: CompiledRule; messages: Record<string, string> }[];
  /** The block's experiment, its arms prepared; absent or null: no experiment. */
  experiment?: PreparedExperiment | null;
  /** Lock-at-first-open with its compiled marks; absent or null: not locked. */
  lock?: PreparedLock | null;
  resolve(context: ResolveContext): Promise<BlockView>;
  toJson(view: BlockView): AmpListPayload;
}

/** Thrown by resolve when the data a block needs is not there: the block's fallback is shown. */
export class HoldBack extends Error {
  override name = 'HoldBack';
  constructor(readonly reason: string) {
    super(reason);
  }
}
