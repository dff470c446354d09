import type { Logger } from '../log';
import { composeSubscriberMessage, defaultSender } from '../email/subscriber-message';
import { PollingLoop } from '../delivery/polling-loop';
import type { MessageTransport } from '../delivery/transport';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { TriggerJob, TriggerJobStore } from '../storage/ports/trigger-jobs';
import type { Keyring } from '../tokens/keyring';
import { afterQuietHours, startOfLocalDay } from './local-time';
import type { PreparedTrigger, TriggersCatalog } from './trigger-config';

export interface TriggerWorkerOptions {
  jobs: TriggerJobStore;
  catalogue: Pick<CatalogueReader, 'getSubscriber' | 'getCampaign'>;
  catalog: TriggersCatalog;
  transport: MessageTransport;
  keyring: Keyring;
  tokenAudience: string;
  publicUrl: string;
  /** OPENTIME_ALLOWED_SENDERS: the From when neither the triggers config nor the campaign names one. */
  globalSenders: readonly string[];
  logger: Logger;
  /** Epoch milliseconds; tests pass a clock they move. */
  clock?: () => number;
  /** How often the loop looks for due jobs (ms). */
  intervalMs?: number;
  /** How long a claimed job is held for this process's attempt (ms). */
  leaseMs?: number;
  /** Jobs claimed per round. */
  batchSize?: number;
  /** Subscribers whose jobs are composed and sent at once (one subscriber's jobs go one after another, so the day's cap holds). */
  concurrency?: number;
  /** Milliseconds before attempt n+1 after n failed attempts. */
  backoffMs?: (failedAttempts: number) => number;
  /** Sent, cancelled and suppressed jobs are deleted this long after they settled (ms); dead letters stay. */
  keepSettledMs?: number;
  /** Called after each job is settled or rescheduled (metrics, benches). */
  onSettled?: (job: TriggerJob, outcome: 'sent' | 'suppressed' | 'cancelled' | 'postponed' | 'failed' | 'dead') => void;
}

/** 30 s, 1 min, 2 min … at most an hour. */
const defaultBackoffMs = (failedAttempts: number): number => Math.min(3_600_000, 30_000 * 2 ** Math.max(0, failedAttempts - 1));

/** Why a job cannot be sent now but may be later: counts an attempt and retries with backoff. */
class RetryableProblem extends Error {}

/**
 * Sends due triggered messages (docs/ARCHITECTURE.md, "Triggered sends").
 * Every process runs one: a claim is a lease in the database, so two never
 * send one job at once, and a process that dies mid-send leaves the job to
 * be claimed again when the lease ends: at-least-once, with the job id as
 * the idempotency key in the message (Message-ID, X-Opentime-Idempotency-Key,
 * the webhook's `id`). Per job, in order: the subscriber must exist; one
 * more than `expireAfter` past due (replayed old events) is dropped; a
 * `requireInCart` trigger whose product left the cart is cancelled; quiet
 * hours in the subscriber's zone postpone it; the per-day cap suppresses
 * it; then the campaign's message is composed and handed to the transport.
 */
export class TriggerWorker {
  private readonly clock: () => number;
  private readonly leaseMs: number;
  private readonly backoffMs: (failedAttempts: number) => number;
  private readonly triggers: ReadonlyMap<string, PreparedTrigger>;
  private readonly loop: PollingLoop;
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: TriggerWorkerOptions) {
    this.clock = options.clock ?? Date.now;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.triggers = new Map(options.catalog.triggers.map((trigger) => [trigger.id, trigger]));
    this.loop = new PollingLoop(
      () => this.drain(),
      options.intervalMs ?? 1_000,
      (error) => options.logger.warn({ err: error }, 'triggered sends: reading due jobs failed; next try at the next tick'),
    );
  }

  /** Works through what is due now, round after round until nothing is; resolves how many were sent. Concurrent calls share one run. */
  runOnce(): Promise<number> {
    return this.loop.runOnce();
  }

  /** Runs every intervalMs until close(). */
  start(): void {
    this.loop.start();
  }

  /** Stops the loop and waits for the round in progress (its claimed jobs are settled or left to their lease). */
  close(): Promise<void> {
    return this.loop.close();
  }

  /**
   * Retention, at most hourly from any process: settled jobs older than
   * keepSettledMs (30 days; the day's cap reads only today's), in chunks.
   */
  async pruneSettled(): Promise<number> {
    const now = this.clock();
    this.lastPrune = now;
    const before = now - (this.options.keepSettledMs ?? 30 * 86_400_000);
    let deleted = 0;
    for (let chunk = await this.options.jobs.pruneSettled(before, 1000); ; chunk = await this.options.jobs.pruneSettled(before, 1000)) {
      deleted += chunk;
      if (chunk < 1000 || this.loop.closed) return deleted;
    }
  }

  private async drain(): Promise<number> {
    if (this.clock() - this.lastPrune >= 3_600_000) await this.pruneSettled();
    let sent = 0;
    const batchSize = this.options.batchSize ?? 50;
    for (;;) {
      const due = await this.options.jobs.claimDue(this.clock(), this.leaseMs, batchSize);
      // One lane per subscriber, in claim order; lanes run `concurrency` at a time.
      const lanes = new Map<string, TriggerJob[]>();
      for (const job of due) lanes.set(job.subscriberId, [...(lanes.get(job.subscriberId) ?? []), job]);
      const queue = [...lanes.values()];
      const runLane = async (): Promise<void> => {
        for (let lane = queue.shift(); lane; lane = queue.shift()) for (const job of lane) if (await this.process(job)) sent++;
      };
      await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency ?? 4) }, runLane));
      if (due.length < batchSize || this.loop.closed) return sent;
    }
  }

  private async process(job: TriggerJob): Promise<boolean> {
    const { jobs, logger } = this.options;
    try {
      const trigger = this.triggers.get(job.triggerId);
      if (!trigger) throw new RetryableProblem(`trigger "${job.triggerId}" is no longer in the triggers config`);
      const subscriber = await this.options.catalogue.getSubscriber(job.subscriberId);
      if (!subscriber) throw new RetryableProblem(`no subscriber "${job.subscriberId}"`);
      const now = this.clock();
      if (now > job.sourceAt + trigger.delay + trigger.expireAfter) {
        await jobs.settle(job.id, 'suppressed', now, `too late: due ${new Date(job.sourceAt + trigger.delay).toISOString()}, expireAfter passed`);
        this.options.onSettled?.(job, 'suppressed');
        return false;
      }
      if (trigger.requireInCart && job.productId !== null && !subscriber.cart.includes(job.productId)) {
        await jobs.settle(job.id, 'cancelled', now, `${job.productId} is no longer in the cart`);
        this.options.onSettled?.(job, 'cancelled');
        return false;
      }
      if (trigger.quietHours) {
        const allowedAt = afterQuietHours(now, subscriber.timeZone, trigger.quietHours);
        if (allowedAt > now) {
          await jobs.postpone(job.id, allowedAt);
          this.options.onSettled?.(job, 'postponed');
          return false;
        }
      }
      if (trigger.frequencyCapPerDay > 0) {
        const sentToday = await jobs.sentSince(job.subscriberId, job.triggerId, startOfLocalDay(now, subscriber.timeZone));
        if (sentToday >= trigger.frequencyCapPerDay) {
          await jobs.settle(job.id, 'suppressed', now, `frequency cap: ${sentToday} sent today in ${subscriber.timeZone}`);
          this.options.onSettled?.(job, 'suppressed');
          return false;
        }
      }
      const campaign = await this.options.catalogue.getCampaign(job.campaignId);
      if (!campaign) throw new RetryableProblem(`no campaign "${job.campaignId}"`);
      const to = this.options.catalog.delivery.recipient.replaceAll('{subscriberId}', subscriber.id);
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(to)) {
        throw new RetryableProblem(`recipient "${to}" is not an email address; set delivery.recipient in the triggers config`);
      }
      const from = this.options.catalog.delivery.from ?? defaultSender([...campaign.allowedSenders, ...this.options.globalSenders]);
      const message = await composeSubscriberMessage({
        keyring: this.options.keyring,
        tokenAudience: this.options.tokenAudience,
        publicUrl: this.options.publicUrl,
        template: trigger.loadedTemplate,
        campaignId: campaign.id,
        subscriberId: subscriber.id,
        from,
        to,
        now: new Date(now),
        headers: { 'Message-ID': messageIdFor(job.id, from), 'X-Opentime-Idempotency-Key': job.id },
      });
      const answer = await this.options.transport.send({
        idempotencyKey: job.id,
        from,
        to,
        triggerId: job.triggerId,
        subscriberId: subscriber.id,
        campaignId: campaign.id,
        message,
      });
      await jobs.settle(job.id, 'sent', this.clock(), answer, this.options.transport.keepsMessage ? message.toString('utf8') : undefined);
      this.options.onSettled?.(job, 'sent');
      logger.debug({ job: job.id, transport: this.options.transport.name }, 'triggered message sent');
      return true;
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      const failedAttempts = job.attempts + 1;
      const next = failedAttempts >= this.options.catalog.delivery.maxAttempts ? null : this.clock() + this.backoffMs(failedAttempts);
      await jobs.failed(job.id, this.clock(), problem, next);
      this.options.onSettled?.(job, next === null ? 'dead' : 'failed');
      logger.warn({ job: job.id, attempts: failedAttempts, problem, deadLetter: next === null }, next === null ? 'triggered message given up (dead letter)' : 'triggered message failed; will retry');
      return false;
    }
  }
}

/** A Message-ID from the job id (RFC 5322 msg-id: dot-atom-text "@" domain), the same on every attempt. */
function messageIdFor(jobId: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)$/.exec(from)?.[1] ?? 'opentime.invalid';
  return `<${Buffer.from(jobId).toString('base64url')}@${domain}>`;
}
