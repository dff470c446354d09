import { ConfigError } from '../config';
import { placeholderProblem } from '../format/placeholders';
import { allKinds, type RegisteredKind } from '../kinds/registry';
import { BADGE_PLACEHOLDERS } from '../kinds/shared/product-card';
import { compileRule } from '../rules/rule';
import { defaultLockMarks, type LockAtFirstOpenConfig, type PreparedLock } from './lock-config';

/**
 * Compiles a block's `lockAtFirstOpen` option; a ConfigError says what was
 * expected. Marks apply to product cards, so they need a kind that shows
 * some; a kind whose view is only true at the moment it is drawn refuses the
 * option altogether.
 */
export function prepareLock(config: LockAtFirstOpenConfig, kind: RegisteredKind, where: string): PreparedLock | null {
  if (!config) return null;
  if (kind.refusesLockAtFirstOpen !== undefined) {
    throw new ConfigError(`${where}.lockAtFirstOpen: ${kind.refusesLockAtFirstOpen}. Remove the option, or lock ${listOfLockableKinds()} block.`);
  }
  const hasCards = kind.productCards !== undefined;
  if (!hasCards && config.marks && config.marks.length > 0) {
    throw new ConfigError(`${where}.lockAtFirstOpen.marks: marks apply to product cards and a ${kind.name} block has none. Expected "lockAtFirstOpen: true" without marks.`);
  }
  const marks = config.marks ?? (hasCards ? defaultLockMarks : []);
  return {
    marks: marks.map((mark, index) => {
      // A mark's badge text is filled like a card's badge (blocks/lock-marks.ts).
      const problem = mark.badge && placeholderProblem(mark.badge.text, BADGE_PLACEHOLDERS);
      if (problem) throw new ConfigError(`${where}.lockAtFirstOpen.marks[${index}].badge.text: ${problem}`);
      return { when: compileRule(mark.when, `${where}.lockAtFirstOpen.marks[${index}].when`), badge: mark.badge, stockState: mark.stockState };
    }),
  };
}

/** The registered kinds that can be locked, in registry order, as one phrase: "a x, y or z". */
function listOfLockableKinds(): string {
  const names = allKinds.filter((kind) => kind.refusesLockAtFirstOpen === undefined).map((kind) => kind.name);
  const last = names.pop();
  return names.length === 0 ? `a ${last}` : `a ${names.join(', ')} or ${last}`;
}
