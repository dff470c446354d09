import express, { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import { FormActions } from '../forms/form-actions';
import { readFormFields, type FormFields } from '../forms/form-fields';
import { readerKey, type FormRateLimits } from '../forms/form-rate-limits';
import { isPoll, type FormsCatalog } from '../forms/forms-config';
import { readPollResults } from '../forms/poll-results';
import { loadSubject } from '../open/open-subject';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import { TokenError } from '../tokens/errors';
import type { SubscriberClaims } from '../tokens/subscriber-token';
import type { VerifyToken } from '../tokens/token-verifier';
import { ampCors, assertSenderAllowed } from './amp-cors';
import { sendError } from './error-handler';
import { HttpError } from './error-catalogue';
import { sendJson } from './send-json';
import type { SenderAllowlist } from './sender-allowlist';

export interface FormRouterDeps {
  forms: FormsCatalog;
  actions: FormActions;
  limits: FormRateLimits;
  verifyToken: VerifyToken;
  /** Reads the token's campaign (its sender allowlist) and subscriber. */
  catalogue: CatalogueReader;
  globalAllowlist: SenderAllowlist;
  now: () => Date;
}

const FORM_METHODS = 'POST, OPTIONS';
/** amp-form posts few fields; more is not a form of ours. */
const MAX_FIELDS = 20;

/**
 * POST /amp/v1/forms/:formId?t=TOKEN — the amp-form `action-xhr` endpoint
 * (README, "Interactive AMP forms"), behind the same AMP for Email CORS as
 * the amp-list endpoints (http/amp-cors.ts: versions 1 and 2, the sender
 * allowlist, the grant on every error so the form's submit-error template
 * can read it). Bodies are application/x-www-form-urlencoded (what Gmail
 * sends whatever the form's enctype) or multipart/form-data, size-limited,
 * text fields only. Answers JSON, 200 for submit-success and a catalogue
 * error for submit-error; never a redirect (a 3xx fails the XHR).
 */
export function formRouter(deps: FormRouterDeps): Router {
  const router = Router();
  const { limits } = deps.forms;
  const urlencoded = express.urlencoded({ extended: false, limit: limits.maxBodyBytes, parameterLimit: MAX_FIELDS });
  const multipart = multer({ limits: { fieldSize: limits.maxBodyBytes, fields: MAX_FIELDS, files: 0, parts: MAX_FIELDS } }).none();

  router.use('/amp/v1/forms', ampCors({ globalAllowlist: deps.globalAllowlist }));
  router.get('/amp/v1/forms/:formId/results', (req: Request, res: Response) => {
    void results(req, res).catch((error: unknown) => sendError(req, res, error));
  });
  router.all('/amp/v1/forms/:formId', (req: Request, res: Response) => {
    void submit(req, res).catch((error: unknown) => sendError(req, res, error));
  });
  router.use('/amp/v1/forms', (req: Request, res: Response) => sendError(req, res, new HttpError('route_not_found')));
  router.use('/amp/v1/forms', (error: unknown, req: Request, res: Response, _next: NextFunction) => sendError(req, res, error));

  async function submit(req: Request, res: Response): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', FORM_METHODS);
      throw new HttpError('method_not_allowed', 'A form endpoint answers POST (amp-form action-xhr, method="post").');
    }
    const formId = String(req.params.formId);
    const form = deps.forms.forms.get(formId);
    if (!form) throw new HttpError('form_not_found', `No form "${formId.slice(0, 64)}".`);
    const now = deps.now();
    await limited({ address: req.ip ?? 'unknown' }, res);

    const fields = await readBody(req, res);
    const claims = verify(req, now);
    await limited({ token: readerKey(claims) }, res);
    const subject = await loadSubject(claims, deps.catalogue);
    if (!subject.campaign) throw new HttpError('campaign_not_found', `No campaign "${claims.campaignId.slice(0, 128)}".`);
    assertSenderAllowed(res, subject.campaign.allowedSenders);

    const read = readFormFields(form, fields);
    if ('errors' in read) throw new HttpError('form_invalid', undefined, { errors: read.errors });
    // A poll's answer and results in the reader's words when the forms config translates them.
    const answer = await deps.actions.submit(form, claims, read.request, now, subject.subscriber?.locale);
    req.log.info({ form: form.id, kind: form.kind, outcome: answer.outcome }, 'form submission');
    sendJson(res, 200, answer);
  }

  /** GET /amp/v1/forms/:formId/results?t=TOKEN: a poll's live results for amp-list, `{"items":[results]}`, for the token's campaign. */
  async function results(req: Request, res: Response): Promise<void> {
    const formId = String(req.params.formId);
    const form = deps.forms.forms.get(formId);
    if (!form || !isPoll(form)) throw new HttpError('form_not_found', `No poll or rating "${formId.slice(0, 64)}".`);
    const claims = verify(req, deps.now());
    const subject = await loadSubject(claims, deps.catalogue);
    if (!subject.campaign) throw new HttpError('campaign_not_found', `No campaign "${claims.campaignId.slice(0, 128)}".`);
    assertSenderAllowed(res, subject.campaign.allowedSenders);
    sendJson(res, 200, { items: [await readPollResults(deps.actions.pollAnswers, claims.campaignId, form, subject.subscriber?.locale)] });
  }

  async function limited(key: { token?: string; address?: string }, res: Response): Promise<void> {
    const waitSeconds = await deps.limits.consume(key);
    if (waitSeconds === undefined) return;
    res.setHeader('Retry-After', String(waitSeconds));
    throw new HttpError('rate_limited', `Try again in ${waitSeconds} s.`);
  }

  function verify(req: Request, now: Date): SubscriberClaims {
    const token = typeof req.query.t === 'string' ? req.query.t : undefined;
    if (token === undefined) throw new HttpError('token_missing');
    try {
      return deps.verifyToken(token, now);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      req.log.warn({ reason: error.reason }, 'form token refused');
      throw new HttpError('token_invalid', undefined, { cause: error });
    }
  }

  /** The posted fields, read with the size and count limits; 415 for any other body type. */
  function readBody(req: Request, res: Response): Promise<FormFields> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
      return Promise.reject(new HttpError('payload_too_large', `The limit is ${limits.maxBodyBytes} bytes.`));
    }
    const parser = req.is('application/x-www-form-urlencoded') ? urlencoded : req.is('multipart/form-data') ? multipart : undefined;
    if (!parser) return Promise.reject(new HttpError('form_media_type_unsupported', `Received ${JSON.stringify(req.headers['content-type'] ?? 'no Content-Type')}.`));
    return new Promise((resolve, reject) => {
      parser(req, res, (error?: unknown) => {
        if (error) return reject(bodyError(error, limits.maxBodyBytes));
        resolve({ ...(req.body as FormFields | undefined) });
      });
    });
  }

  return router;
}

function bodyError(error: unknown, limit: number): HttpError {
  const problem = error as { type?: string; code?: string; field?: string; message?: string };
  if (problem.type === 'entity.too.large' || problem.code === 'LIMIT_FIELD_VALUE') return new HttpError('payload_too_large', `The limit is ${limit} bytes.`, { cause: error });
  if (problem.code === 'LIMIT_UNEXPECTED_FILE' || problem.code === 'LIMIT_FILE_COUNT') {
    return new HttpError('form_invalid', undefined, { cause: error, errors: [{ index: -1, path: problem.field ?? '', message: 'a file; forms take text fields only' }] });
  }
  if (problem.type === 'parameters.too.many' || problem.code === 'LIMIT_FIELD_COUNT' || problem.code === 'LIMIT_PART_COUNT') {
    return new HttpError('form_invalid', undefined, { cause: error, errors: [{ index: -1, path: '', message: `more than ${MAX_FIELDS} fields` }] });
  }
  return new HttpError('bad_request', problem.message ?? 'The form body could not be read.', { cause: error });
}
