import { z } from 'zod';
import { HttpError } from '../http/error-catalogue';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { Keyring } from '../tokens/keyring';
import { composeSubscriberMessage, defaultSender, sendOverSmtp } from './subscriber-message';
import { defaultTemplatesDir, listTemplates, loadTemplate } from './templates';

/** The body of POST /api/v1/campaigns/:campaignId/test-emails (and the console's Send test form). */
export const testEmailRequestSchema = z.strictObject({
  subscriberId: z.string().trim().min(1, 'expected the id of a stored subscriber').max(128),
  /** Send to this address over OPENTIME_SMTP_URL; absent: answer the .eml. */
  to: z.email('expected an email address, e.g. you@shop.example').optional(),
  /** A template under amp-templates/; default: the campaign's first, else the one named after the campaign. */
  template: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a template name such as "flash-sale"').optional(),
});
export type TestEmailRequest = z.infer<typeof testEmailRequestSchema>;

export interface TestEmailDeps {
  catalogue: Pick<CatalogueReader, 'getCampaign' | 'getSubscriber'>;
  keyring: Keyring;
  tokenAudience: string;
  publicUrl: string;
  /** OPENTIME_SMTP_URL; absent: only the .eml. */
  smtpUrl?: string;
  /** OPENTIME_ALLOWED_SENDERS: the From when the campaign names no sender address. */
  globalSenders: readonly string[];
  templatesDir?: string;
  now: () => Date;
}

export type TestEmailResult =
  | { sent: false; message: Buffer; filename: string; template: string }
  | { sent: true; to: string; from: string; response: string; bytes: number; template: string };

/**
 * A test email for one subscriber of a campaign, built as `opentime email`
 * builds it (email/subscriber-message.ts): answered as the .eml, or sent to
 * `to` over the configured SMTP server. Its opens and clicks are recorded
 * like any other: it is a real email for that subscriber.
 */
export async function createTestEmail(deps: TestEmailDeps, campaignId: string, body: unknown): Promise<TestEmailResult> {
  const parsed = testEmailRequestSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({ index: -1, path: issue.path.join('.') || '(body)', message: issue.message }));
    throw new HttpError('validation_failed', `${errors.length} problem(s) in the test email request; nothing was sent.`, { errors });
  }
  const request = parsed.data;
  const [campaign, subscriber] = await Promise.all([deps.catalogue.getCampaign(campaignId), deps.catalogue.getSubscriber(request.subscriberId)]);
  if (!campaign) throw new HttpError('campaign_not_found', `No campaign "${campaignId.slice(0, 128)}".`);
  if (!subscriber) throw new HttpError('subscriber_not_found', `No subscriber "${request.subscriberId}".`);
  if (request.to && !deps.smtpUrl) throw new HttpError('smtp_not_configured');

  const dir = deps.templatesDir ?? defaultTemplatesDir();
  const available = listTemplates(dir);
  const name = request.template ?? campaign.templates[0] ?? campaign.id;
  if (!available.includes(name)) {
    const problem = { index: -1, path: 'template', message: `no template "${name}"; expected one of: ${available.join(', ') || 'none'}` };
    throw new HttpError('validation_failed', request.template ? 'Unknown template.' : `Campaign "${campaign.id}" names no template; choose one.`, { errors: [problem] });
  }
  const template = loadTemplate(name, dir);
  const from = defaultSender([...campaign.allowedSenders, ...deps.globalSenders]);
  const now = deps.now();
  const message = await composeSubscriberMessage({
    keyring: deps.keyring,
    tokenAudience: deps.tokenAudience,
    publicUrl: deps.publicUrl,
    template,
    campaignId: campaign.id,
    subscriberId: subscriber.id,
    from,
    to: request.to,
    subject: template.subject ? `[Test] ${template.subject}` : undefined,
    now,
  });
  if (!request.to) return { sent: false, message, filename: `${campaign.id}-${subscriber.id}.eml`.replace(/[^A-Za-z0-9._-]/g, '_'), template: name };
  try {
    const response = await sendOverSmtp(deps.smtpUrl as string, { from, to: request.to }, message);
    return { sent: true, to: request.to, from, response, bytes: message.length, template: name };
  } catch (error) {
    throw new HttpError('smtp_send_failed', `The SMTP server answered: ${(error as Error).message}`, { cause: error });
  }
}
