import { Router, type Request, type Response } from 'express';
import type { FormActions } from '../forms/form-actions';
import { readerKey, type FormRateLimits } from '../forms/form-rate-limits';
import { isPoll, type FormsCatalog } from '../forms/forms-config';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { VerifyToken } from '../tokens/token-verifier';
import { cacheControl } from './cache-policy';

export interface FormLinkRouterDeps {
  forms: FormsCatalog;
  actions: FormActions;
  limits: FormRateLimits;
  verifyToken: VerifyToken;
  catalogue: CatalogueReader;
  now: () => Date;
  /** Where a link to an unknown form lands (the shop's home page). */
  siteUrl: () => string;
}

/**
 * GET /c/v1/forms/:formId/:answer?t=TOKEN — a poll's or rating's answer as
 * a link, for the HTML and text parts (clients without AMP): records the
 * token's subscriber's answer exactly as the amp-form POST does, then 302s
 * to the form's `landingUrl` with `?answer=` added. A refused token, an
 * unknown campaign, a refused second answer or a limit reached still lands
 * there (a link must never dead-end), recording nothing. Like the block
 * clicks (click-router.ts), the target is always from our own config.
 */
export function formLinkRouter(deps: FormLinkRouterDeps): Router {
  const router = Router();
  router.get('/c/v1/forms/:formId/:answer', async (req: Request, res: Response) => {
    const form = deps.forms.forms.get(String(req.params.formId));
    if (!form || !isPoll(form)) {
      redirect(res, deps.siteUrl());
      return;
    }
    const answer = String(req.params.answer);
    if (!form.answers.some((entry) => entry.id === answer)) {
      redirect(res, form.landingUrl);
      return;
    }
    const landing = new URL(form.landingUrl);
    landing.searchParams.set('answer', answer);
    const now = deps.now();
    try {
      const claims = deps.verifyToken(typeof req.query.t === 'string' ? req.query.t : undefined, now);
      const wait = await deps.limits.consume({ address: req.ip ?? 'unknown', token: readerKey(claims) });
      if (wait !== undefined) {
        req.log.info({ form: form.id }, 'form link over its rate limit; not recorded');
      } else if (!(await deps.catalogue.getCampaign(claims.campaignId))) {
        req.log.info({ form: form.id }, 'form link token names an unknown campaign; not recorded');
      } else {
        const result = await deps.actions.submit(form, claims, { kind: 'poll', answer }, now);
        req.log.info({ form: form.id, outcome: result.outcome }, 'form link answer');
      }
    } catch (error) {
      // A refused token or a refused second answer: the reader still lands on the page.
      req.log.info({ form: form.id, reason: (error as { reason?: string; code?: string }).reason ?? (error as { code?: string }).code ?? 'error' }, 'form link answer not recorded');
    }
    redirect(res, landing.toString());
  });
  return router;
}

function redirect(res: Response, url: string): void {
  res.set('Cache-Control', cacheControl('private'));
  res.set('Referrer-Policy', 'no-referrer');
  res.redirect(302, url);
}
