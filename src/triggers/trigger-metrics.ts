import { Counter, type Registry } from 'prom-client';
import type { TriggerWorkerOptions } from './trigger-worker';

/**
 * opentime_triggered_sends_total{trigger,outcome} on GET /metrics: what this
 * process's worker did with each job it claimed: sent, cancelled (the product
 * left the cart), suppressed (the day's cap), postponed (quiet hours), failed
 * (to be retried) or dead (given up). A growing `dead` is the one to alert on.
 */
export function triggerSendsCounter(registry: Registry): NonNullable<TriggerWorkerOptions['onSettled']> {
  const counter = new Counter({
    name: 'opentime_triggered_sends_total',
    help: 'Triggered-send jobs handled by this process, by trigger and outcome (sent, cancelled, suppressed, postponed, failed, dead).',
    labelNames: ['trigger', 'outcome'],
    registers: [registry],
  });
  return (job, outcome) => counter.inc({ trigger: job.triggerId, outcome });
}
