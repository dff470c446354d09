import { Router, type Request, type Response } from 'express';
import type { ApiKeyring } from '../api/api-keys';
import { requireApiKey, requireScope } from '../http/api-auth';
import { cacheControl } from '../http/cache-policy';
import { HttpError } from '../http/error-catalogue';
import { sendJson } from '../http/send-json';
import type { TriggerJobRecord, TriggerJobState, TriggerJobStore } from '../storage/ports/trigger-jobs';

const STATES: readonly TriggerJobState[] = ['pending', 'sent', 'cancelled', 'suppressed', 'dead'];
const MAX_LIMIT = 1000;

function limitOf(value: unknown): number {
  const count = value === undefined ? 100 : Number(value);
  if (!Number.isInteger(count) || count < 1 || count > MAX_LIMIT) throw new HttpError('bad_request', `limit: expected a whole number from 1 to ${MAX_LIMIT}`);
  return count;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

/** A job as the API shows it: times as ISO strings; the kept message only where asked for. */
function shown(job: TriggerJobRecord, withMessage: boolean) {
  const { message, ...rest } = job;
  return {
    ...rest,
    sourceAt: iso(job.sourceAt),
    runAt: iso(job.runAt),
    createdAt: iso(job.createdAt),
    settledAt: iso(job.settledAt),
    ...(withMessage ? { message } : {}),
  };
}

/**
 * The triggered-send queue through the API (README "Triggered sends"):
 * GET /api/v1/triggers/jobs?state=&limit=, GET /api/v1/triggers/dead-letters,
 * GET /api/v1/triggers/outbox (messages kept when no transport is
 * configured), all `triggers:read`; POST
 * /api/v1/triggers/dead-letters/:id/retry (`triggers:write`) puts a dead
 * letter back in the queue, due now.
 */
export function triggersRouter(deps: { keys: ApiKeyring; jobs: TriggerJobStore; now: () => Date }): Router {
  const router = Router();
  router.use('/api/v1/triggers', requireApiKey(deps.keys), (_req, res, next) => {
    res.setHeader('Cache-Control', cacheControl('operational'));
    next();
  });
  router.get('/api/v1/triggers/jobs', requireScope('triggers:read'), async (req: Request, res: Response) => {
    const state = req.query.state ?? 'pending';
    if (typeof state !== 'string' || !(STATES as readonly string[]).includes(state)) {
      throw new HttpError('bad_request', `state: expected one of ${STATES.join(', ')}`);
    }
    const jobs = await deps.jobs.list(state as TriggerJobState, limitOf(req.query.limit));
    sendJson(res, 200, { jobs: jobs.map((job) => shown(job, false)) });
  });
  router.get('/api/v1/triggers/dead-letters', requireScope('triggers:read'), async (req: Request, res: Response) => {
    const jobs = await deps.jobs.list('dead', limitOf(req.query.limit));
    sendJson(res, 200, { deadLetters: jobs.map((job) => shown(job, false)) });
  });
  router.get('/api/v1/triggers/outbox', requireScope('triggers:read'), async (req: Request, res: Response) => {
    const jobs = await deps.jobs.list('sent', limitOf(req.query.limit));
    sendJson(res, 200, { messages: jobs.filter((job) => job.message !== null).map((job) => shown(job, true)) });
  });
  router.post('/api/v1/triggers/dead-letters/:id/retry', requireScope('triggers:write'), async (req: Request, res: Response) => {
    const id = String(req.params.id).slice(0, 300);
    const retried = await deps.jobs.retry(id, deps.now().getTime());
    if (!retried) throw new HttpError('dead_letter_not_found', `No dead letter "${id}" (GET /api/v1/triggers/dead-letters lists them).`);
    sendJson(res, 200, { retried: id });
  });
  return router;
}
