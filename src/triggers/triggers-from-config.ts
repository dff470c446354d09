import path from 'node:path';
import { ConfigError, type Config } from '../config';
import { LogTransport } from '../delivery/log-transport';
import { SmtpTransport } from '../delivery/smtp-transport';
import type { MessageTransport } from '../delivery/transport';
import { WebhookTransport } from '../delivery/webhook-transport';
import type { Logger } from '../log';
import { packageRoot } from '../package-root';
import type { Storage } from '../storage/storage';
import type { Keyring } from '../tokens/keyring';
import type { Registry } from 'prom-client';
import { triggerSendsCounter } from './trigger-metrics';
import { loadTriggersConfig, NO_TRIGGERS, type TriggersCatalog } from './trigger-config';
import { TriggerIntake } from './trigger-intake';
import { TriggerWorker } from './trigger-worker';

export interface ServerTriggers {
  catalog: TriggersCatalog;
  intake: TriggerIntake;
  transport: MessageTransport | undefined;
  /** Stops the worker loop and closes the transport. */
  close(): Promise<void>;
}

/** OPENTIME_TRIGGERS, else the demo's config/triggers.yaml in demo mode, else none. */
export function triggersFileOf(config: Pick<Config, 'triggersFile' | 'demo'>): string | undefined {
  return config.triggersFile ?? (config.demo ? path.join(packageRoot(), 'config', 'triggers.yaml') : undefined);
}

/** The transport triggered messages leave by: the ESP webhook, else SMTP, else the log outbox. */
function transportFor(config: Pick<Config, 'triggersWebhookUrl' | 'triggersWebhookSecret' | 'smtpUrl'>, logger: Logger): MessageTransport {
  if (config.triggersWebhookUrl) {
    if (!config.triggersWebhookSecret) {
      throw new ConfigError('OPENTIME_TRIGGERS_WEBHOOK_URL is set without OPENTIME_TRIGGERS_WEBHOOK_SECRET: expected a secret of at least 16 characters to sign the webhooks with.');
    }
    return new WebhookTransport(config.triggersWebhookUrl, config.triggersWebhookSecret);
  }
  if (config.smtpUrl) return new SmtpTransport(config.smtpUrl);
  return new LogTransport(logger);
}

/**
 * The triggers a server applies (README "Triggered sends"): the intake the
 * events API hands accepted events to, and the worker loop that sends due
 * jobs. Every process runs both; the queue's leases keep two from sending
 * one job at once.
 */
export function startTriggers(config: Config, storage: Storage, keyring: Keyring, logger: Logger, registry?: Registry): ServerTriggers {
  const file = triggersFileOf(config);
  const catalog = file ? loadTriggersConfig(file) : NO_TRIGGERS;
  const intake = new TriggerIntake(storage.triggerJobs, catalog, storage);
  if (catalog.triggers.length === 0) return { catalog, intake, transport: undefined, close: async () => undefined };
  const transport = transportFor(config, logger);
  const worker = new TriggerWorker({
    jobs: storage.triggerJobs,
    catalogue: storage.catalogue,
    catalog,
    transport,
    keyring,
    tokenAudience: config.tokenAudience,
    publicUrl: config.publicUrl,
    globalSenders: config.allowedSenders,
    logger,
    ...(registry ? { onSettled: triggerSendsCounter(registry) } : {}),
  });
  worker.start();
  logger.info({ triggers: catalog.triggers.map((trigger) => trigger.id), transport: transport.name }, 'triggered sends on');
  return {
    catalog,
    intake,
    transport,
    async close() {
      await worker.close();
      transport.close();
    },
  };
}
