import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type PrometheusContentType } from 'prom-client';
import type { Logger } from '../log';
import { isCatalogueChangeMessage } from './cluster-catalogue-changes';
import { isClusterMessage } from './cluster-message';
import { answerMetricsRequests } from './cluster-metrics';

export interface ClusterPrimaryOptions {
  workers: number;
  logger: Logger;
  /** Runs once every worker listens, with the port they share (PORT=0 picks one for all of them). */
  onListening(port: number): void;
  /** Longest shutdown waits for a worker to drain before it is killed (ms). */
  drainTimeoutMs?: number;
}

/** What a worker that cannot start sends the primary instead of printing it, so N workers failing alike say it once. */
export const STARTUP_FAILURE_MESSAGE = 'opentime:startup-failure';

export interface StartupFailureMessage {
  type: typeof STARTUP_FAILURE_MESSAGE;
  /** One line (or a stack, for a bug), as the single-process server would print it. */
  text: string;
}

function isStartupFailureMessage(message: unknown): message is StartupFailureMessage {
  return isClusterMessage<StartupFailureMessage>(message, STARTUP_FAILURE_MESSAGE) && typeof message.text === 'string';
}

/** A worker that dies this often within the window is not restarted again: something is wrong with every start. */
const RESTARTS_ALLOWED = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * The primary of OPENTIME_WORKERS server processes (node:cluster,
 * https://nodejs.org/api/cluster.html): it serves nothing itself. It starts
 * the workers, which share one listening port, passes each worker's
 * catalogue changes on to the others when no Redis does it
 * (cluster-catalogue-changes.ts), sums the workers' metrics for a scrape
 * (cluster-metrics.ts), restarts a worker that dies, and on
 * SIGTERM or SIGINT asks every worker to drain (each writes its queued
 * renders, impressions and claims, docs/ARCHITECTURE.md "Scale-out") and
 * exits once all have. Resolves with the exit code for the process.
 */
export function runClusterPrimary(options: ClusterPrimaryOptions): Promise<number> {
  const { logger } = options;
  const drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
  const listening = new Set<Worker>();
  const restarts: number[] = [];
  let started = false;
  let stopping = false;
  let exitCode = 0;
  let failureSaid = false;
  const aggregator = new AggregatorRegistry<PrometheusContentType>();

  return new Promise<number>((resolve) => {
    const finishWhenAllGone = (): void => {
      if (Object.keys(cluster.workers ?? {}).length === 0) resolve(exitCode);
    };

    const stopAll = (code: number): void => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (!worker) continue;
        worker.process.kill('SIGTERM');
        // A worker that does not drain in time is stopped: the orchestrator waits for us, not for ever.
        setTimeout(() => worker.process.kill('SIGKILL'), drainTimeoutMs).unref();
      }
      finishWhenAllGone();
    };

    const fork = (): void => {
      const worker = cluster.fork();
      answerMetricsRequests(worker, aggregator);
      worker.on('message', (message: unknown) => {
        if (isStartupFailureMessage(message)) {
          if (!failureSaid) process.stderr.write(`${message.text}\n`);
          failureSaid = true;
          return;
        }
        if (!isCatalogueChangeMessage(message)) return;
        for (const other of Object.values(cluster.workers ?? {})) {
          if (other && other !== worker && other.isConnected()) other.send(message, undefined, () => undefined);
        }
      });
    };

    cluster.on('listening', (worker, address) => {
      listening.add(worker);
      if (started || listening.size < options.workers) return;
      started = true;
      logger.info({ workers: options.workers, port: address.port }, 'opentime started on every worker');
      options.onListening(address.port);
    });

    cluster.on('exit', (worker, code, signal) => {
      listening.delete(worker);
      if (stopping) return finishWhenAllGone();
      if (!started) {
        // A worker that cannot start (port in use, database unreachable) has said why on stderr; the others would fail alike.
        logger.error({ pid: worker.process.pid, code, signal }, 'a worker failed to start; stopping');
        return stopAll(code || 1);
      }
      const now = Date.now();
      while (restarts.length && (restarts[0] as number) < now - RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length >= RESTARTS_ALLOWED) {
        logger.error({ restarts: restarts.length, windowMs: RESTART_WINDOW_MS }, 'workers keep dying; stopping');
        return stopAll(1);
      }
      restarts.push(now);
      logger.warn({ pid: worker.process.pid, code, signal }, 'a worker died; starting another');
      fork();
    });

    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        logger.info({ signal }, 'shutting down every worker');
        stopAll(0);
      });
    }

    // Each worker watches the blocks config itself; SIGHUP asks all of them to reload it now.
    process.on('SIGHUP', () => {
      logger.info({ signal: 'SIGHUP' }, 'passing SIGHUP on to every worker: reload the blocks config');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
    });

    for (let i = 0; i < options.workers; i++) fork();
  });
}
