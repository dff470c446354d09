import nodemailer from 'nodemailer';
import type { Keyring } from '../tokens/keyring';
import { DEFAULT_TTL_SECONDS, signSubscriberToken } from '../tokens/subscriber-token';
import { composeMessage } from './compose';
import type { CampaignTemplate } from './templates';

export interface SubscriberMessageOptions {
  keyring: Keyring;
  tokenAudience: string;
  /** The server's public URL: every Opentime URL of the message points there. */
  publicUrl: string;
  template: CampaignTemplate;
  campaignId: string;
  subscriberId: string;
  from: string;
  to?: string;
  subject?: string;
  ttlSeconds?: number;
  now?: Date;
  /** Extra headers, e.g. a triggered send's Message-ID and idempotency key (triggers/trigger-worker.ts). */
  headers?: Record<string, string>;
}

/**
 * One subscriber's complete message (text, AMP, HTML), every Opentime URL
 * carrying a token for them and the campaign: what `opentime email` and the
 * console's "Send test" (POST /api/v1/campaigns/:id/test-emails) both build.
 */
export async function composeSubscriberMessage(options: SubscriberMessageOptions): Promise<Buffer> {
  const token = signSubscriberToken(
    options.keyring,
    { subscriberId: options.subscriberId, campaignId: options.campaignId },
    { audience: options.tokenAudience, ttlSeconds: options.ttlSeconds ?? DEFAULT_TTL_SECONDS, ...(options.now ? { now: options.now } : {}) },
  );
  const { message } = await composeMessage({
    template: options.template,
    baseUrl: options.publicUrl,
    token,
    from: options.from,
    ...(options.to ? { to: options.to } : {}),
    ...(options.subject ? { subject: options.subject } : {}),
    ...(options.now ? { date: options.now } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  return message;
}

/** Sends a built message as is over SMTP; resolves to the server's answer ("250 OK queued"). */
export async function sendOverSmtp(smtpUrl: string, envelope: { from: string; to: string }, message: Buffer): Promise<string> {
  const transport = nodemailer.createTransport(smtpUrl);
  try {
    const info = await transport.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw: message });
    return String(info.response ?? 'accepted');
  } finally {
    transport.close();
  }
}

/** The sender the AMP part will announce (AMP-Email-Sender): the first full address among the allowed senders. */
export function defaultSender(allowedSenders: readonly string[]): string {
  return allowedSenders.find((entry) => /^[^@\s]+@[^@\s]+$/.test(entry)) ?? 'news@shop.example';
}
