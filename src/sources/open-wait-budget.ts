import { AsyncLocalStorage } from 'node:async_hooks';
import type { Middleware } from '../http/middleware';

/**
 * One open may read products several times (the product, then a sold-out
 * swap's alternative; a recommendations row and its best-sellers). Each read
 * alone respects the pull timeout, but they run one after another, so the
 * budget is per OPEN: the first pull of a request starts the clock, and
 * later reads in the same request only get what is left of it.
 */
interface WaitBudget {
  /** Epoch ms after which this request no longer waits for pull sources. */
  deadline?: number;
}

const budgets = new AsyncLocalStorage<WaitBudget>();

/** Every request (and everything it awaits) gets its own budget. */
export function openWaitBudget(): Middleware {
  return (_req, _res, next) => budgets.run({}, next);
}

/**
 * How long this read may wait for the source: the full `timeoutMs` outside a
 * request (CLI, tests), else what is left of the request's budget.
 */
export function remainingWaitMs(timeoutMs: number, now: number = Date.now()): number {
  const budget = budgets.getStore();
  if (!budget) return timeoutMs;
  budget.deadline ??= now + timeoutMs;
  return Math.max(0, budget.deadline - now);
}
