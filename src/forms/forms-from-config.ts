import { ConfigError, type Config } from '../config';
import type { Logger } from '../log';
import { connectRedis } from '../scale-out/redis-connection';
import type { Storage } from '../storage/storage';
import { formRateLimits, type FormRateLimits } from './form-rate-limits';
import { loadFormsConfig, type FormsCatalog } from './forms-config';
import { WebhookDelivery } from './webhook-delivery';

export interface ServerForms {
  forms: FormsCatalog;
  limits: FormRateLimits;
  /** Stops the webhook delivery loop and closes the Redis connection of the limits. */
  close(): Promise<void>;
}

/**
 * The forms a server serves (OPENTIME_FORMS), their rate limits (on Redis
 * with OPENTIME_REDIS_URL, so they hold across nodes), and the delivery loop
 * of the webhook outbox when OPENTIME_NOTIFY_WEBHOOK_URL is set.
 */
export async function startForms(config: Config, storage: Storage, logger: Logger): Promise<ServerForms> {
  const forms = loadFormsConfig(config.formsFile);
  if (config.notifyWebhookUrl && !config.notifyWebhookSecret) {
    throw new ConfigError('OPENTIME_NOTIFY_WEBHOOK_URL is set without OPENTIME_NOTIFY_WEBHOOK_SECRET: expected a secret of at least 16 characters to sign the webhooks with.');
  }
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, { purpose: 'form rate limits', logger, commandTimeoutMs: 50 }) : undefined;
  const delivery =
    config.notifyWebhookUrl && config.notifyWebhookSecret
      ? new WebhookDelivery({ outbox: storage.webhookOutbox, url: config.notifyWebhookUrl, secret: config.notifyWebhookSecret, logger })
      : undefined;
  delivery?.start();
  return {
    forms,
    limits: formRateLimits(forms.limits, redis),
    async close() {
      await delivery?.close();
      await redis?.quit().catch(() => undefined);
    },
  };
}
