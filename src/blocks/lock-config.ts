import { z } from 'zod';
import type { StockState } from '../data/model';
import { badgeTones, type BadgeTone } from '../kinds/shared/product-card';
import type { CompiledRule } from '../rules/rule';

/**
 * A mark: a rule re-evaluated at every open against LIVE product data, for
 * each product card of a frozen view. When it holds, it overlays the card's
 * badge and/or stock state; everything else (name, price, picture, link, the
 * choice and order of products) stays exactly as first shown.
 */
const markSchema = z.strictObject({
  /** JSON Logic over the usual facts, with `product` = the live record of the card's product. */
  when: z.unknown(),
  /**
   * The badge to show instead of the frozen one: text is a message key (e.g.
   * "badgeSoldOut", translated per locale) or literal text, with {stock},
   * {name}, {discount} filled from live data. `null` removes the frozen badge
   * (e.g. a stale "Only 2 left"). Omitted: the frozen badge stays.
   */
  badge: z.strictObject({ text: z.string().min(1), tone: z.enum(badgeTones).default('danger') }).nullable().optional(),
  /** The stock state to show instead of the frozen one. Omitted: the frozen state stays. */
  stockState: z.enum(['in_stock', 'low_stock', 'sold_out']).optional(),
});
export type LockMarkConfig = z.infer<typeof markSchema>;

/** What `lockAtFirstOpen: true` marks by default: a product sold out since the first open says so. */
export const defaultLockMarks: LockMarkConfig[] = [
  { when: { '<=': [{ var: 'product.stock' }, 0] }, badge: { text: 'badgeSoldOut', tone: 'danger' }, stockState: 'sold_out' },
];

/**
 * `lockAtFirstOpen:` on a block: `true` (default marks), `false`, or
 * `{ marks: [...] }`. See blocks/lock-at-first-open.ts for the semantics.
 */
export const lockAtFirstOpenSchema = z
  .union([z.boolean(), z.strictObject({ marks: z.array(markSchema).optional() })])
  .optional()
  .transform((value) => (value === undefined || value === false ? null : { marks: value === true ? undefined : value.marks }));
export type LockAtFirstOpenConfig = z.infer<typeof lockAtFirstOpenSchema>;

export interface CompiledMark {
  when: CompiledRule;
  /** undefined: keep the frozen badge; null: remove it. */
  badge: { text: string; tone: BadgeTone } | null | undefined;
  stockState: StockState | undefined;
}

export interface PreparedLock {
  marks: readonly CompiledMark[];
}
