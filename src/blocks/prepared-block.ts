import type { PreparedExperiment } from '../experiments/assignment';
import type { RegisteredKind, BlockView } from '../kinds/registry';
import type { Theme } from '../render/theme';
import type { CompiledRule } from '../rules/rule';
import type { BaseBlockConfig } from './block-config';
import type { MessageSource } from './messages';
import type { ResolveContext } from '../kinds/kind';
import type { PreparedLock } from './lock-config';

/** A block ready to serve: config validated, every rule compiled, the kind's functions bound to it. */
export interface PreparedBlock {
  config: BaseBlockConfig;
  /**
   * The block's kind, for what it declares (name, default messages, theme,
   * animation…). Its functions take the kind's own view type: call them
   * through a view (kinds/kind-of-view.ts), or through the bound ones below.
   */
  kind: RegisteredKind;
  /** The look of its picture: the config's `theme:` over the kind's defaults, validated with the rest of the block. */
  theme: Theme;
  holdBack: CompiledRule | null;
  /** Message variants in config order; each carries its own wording, translated like the block's (blocks/messages.ts). */
  variants: ({ name: string; when: CompiledRule } & MessageSource)[];
  /** The block's experiment, its arms prepared; absent or null: no experiment. */
  experiment?: PreparedExperiment | null;
  /** Lock-at-first-open with its compiled marks; absent or null: not locked. */
  lock?: PreparedLock | null;
  /** Click slots its picture has: the links the HTML part may carry (the kind's rule applied to this config). */
  slotCount: number;
  resolve(context: ResolveContext): Promise<BlockView>;
}
