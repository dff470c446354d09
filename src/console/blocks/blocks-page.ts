import type { Request, Response } from 'express';
import { describeBlocks, type BlockOverview } from '../../blocks/blocks-overview';
import { describeLocales } from '../../blocks/missing-translations';
import type { ConsolePage } from '../pages';
import { sendPage } from '../page-render';
import { formatInZone } from '../time-zones';

/**
 * /console/blocks?kind=product — every block as the server serves it now:
 * kind, rules, variants, experiment, lock, translations and warnings. Reads
 * what GET /api/v1/blocks answers (blocks/blocks-overview.ts).
 */
export const blocksPage: ConsolePage = {
  id: 'blocks',
  routes(router, context) {
    router.get('/blocks', async (req: Request, res: Response) => {
      const overview = await describeBlocks(context.blocks, context.storage.subscriberLocales);
      const kinds = [...new Set(overview.blocks.map((block) => block.kind))].sort();
      const kind = typeof req.query.kind === 'string' && kinds.includes(req.query.kind) ? req.query.kind : '';
      const shown = overview.blocks.filter((block) => kind === '' || block.kind === kind);
      const refusal = overview.lastRefusedReload;
      sendPage(req, res, {
        nav: 'blocks',
        title: 'Blocks',
        view: 'views/blocks',
        data: {
          kinds: kinds.map((name) => ({ name, selected: name === kind })),
          blocks: shown.map(blockCard),
          count: shown.length,
          refusal: refusal && { at: formatInZone(refusal.at, context.settings.timeZone ?? 'UTC'), reason: refusal.reason },
        },
      });
    });
  },
};

const json = (value: unknown): string => JSON.stringify(value, null, 2);
/** Rules and messages on one line each: a table row stays one row high, and the table scrolls rather than wraps. */
const compact = (value: unknown): string => JSON.stringify(value);
const percent = (share: number): string => `${(share * 100).toFixed(share * 100 < 10 ? 1 : 0)}%`;

function blockCard(block: BlockOverview) {
  const options = Object.keys(block.options).length > 0 ? json(block.options) : undefined;
  return {
    ...block,
    options,
    holdBackWhen: block.holdBackWhen === null ? undefined : json(block.holdBackWhen),
    variants: block.variants.map((variant) => ({ name: variant.name, when: compact(variant.when), messages: compact(variant.messages) })),
    hasVariants: block.variants.length > 0,
    experiment: block.experiment && {
      id: block.experiment.id,
      arms: [
        ...block.experiment.arms.map((arm) => ({ name: arm.name, weight: arm.weight, share: percent(arm.share), override: Object.keys(arm.override).length > 0 ? compact(arm.override) : undefined })),
        ...(block.experiment.holdout.weight > 0 ? [{ name: 'holdout', weight: block.experiment.holdout.weight, share: percent(block.experiment.holdout.share), holdout: true }] : []),
      ],
    },
    lock: block.lockAtFirstOpen && { defaultMarks: block.lockAtFirstOpen.defaultMarks, marks: block.lockAtFirstOpen.defaultMarks ? undefined : json(block.lockAtFirstOpen.marks) },
    translations: block.translations,
    missing: block.warnings.missingTranslations.length > 0 ? describeLocales(block.warnings.missingTranslations) : undefined,
  };
}
