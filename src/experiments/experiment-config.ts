import { z } from 'zod';

/** The arm that sees the block's generic content (its fallback items): the baseline of every lift. */
export const HOLDOUT = 'holdout';

const ARM_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * Keys an experiment variant may not override: the block's identity, the
 * experiment itself, and the lock (a lock freezes whatever arm was shown, so
 * it is a property of the block, not of an arm).
 */
export const FORBIDDEN_OVERRIDE_KEYS = ['id', 'kind', 'experiment', 'lockAtFirstOpen'] as const;

const variantSchema = z.strictObject({
  name: z
    .string()
    .regex(ARM_NAME, 'expected lowercase letters, digits and dashes, e.g. "history-first"')
    .refine((name) => name !== HOLDOUT, { message: `"${HOLDOUT}" is reserved for the holdout; set "holdout: <weight>" instead` }),
  /** Relative share of subscribers; the weights of all variants and the holdout are normalised together. */
  weight: z.number().positive('expected a weight above 0, e.g. 45'),
  /**
   * Block options this variant changes: any option of the block's kind (rules
   * such as `sources`, `count`, `badges`, `swapWhen`; content such as
   * `productId`) and its look (`theme`, `messages`). Top-level keys replace the
   * block's; `theme`, `messages` and `translations` are merged one level deep,
   * so a variant can change one colour or one message.
   */
  override: z.record(z.string(), z.unknown()).default({}),
});

/**
 * `experiment:` on a block. Assignment is by a hash of the experiment id and
 * the subscriber id (experiments/assignment.ts): the same subscriber gets the
 * same arm on the JSON and the image, on every open, on every server.
 */
export const experimentSchema = z
  .strictObject({
    /** Salt of the assignment; defaults to the block id. Change it to reshuffle subscribers. */
    id: z.string().regex(ARM_NAME, 'expected lowercase letters, digits and dashes, e.g. "picks-nov-2026"').optional(),
    variants: z.array(variantSchema).min(1, 'expected at least one variant, e.g. [{ name: live, weight: 90 }]'),
    /** Weight of the holdout, in the same units as the variants' weights (0: no holdout). */
    holdout: z.number().min(0, 'expected a holdout weight of 0 or more').default(0),
  })
  .superRefine((experiment, context) => {
    const seen = new Set<string>();
    experiment.variants.forEach((variant, index) => {
      if (seen.has(variant.name)) {
        context.addIssue({ code: 'custom', path: ['variants', index, 'name'], message: `duplicate variant name "${variant.name}"` });
      }
      seen.add(variant.name);
      for (const key of FORBIDDEN_OVERRIDE_KEYS) {
        if (key in variant.override) {
          context.addIssue({
            code: 'custom',
            path: ['variants', index, 'override', key],
            message: `a variant cannot change "${key}"; allowed: any other option of the block (rules, content, theme, messages)`,
          });
        }
      }
    });
  });

export type ExperimentConfig = z.infer<typeof experimentSchema>;
