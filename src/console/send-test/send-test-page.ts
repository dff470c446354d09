import type { Request, Response } from 'express';
import { createTestEmail } from '../../email/test-email';
import { listTemplates } from '../../email/templates';
import { HttpError } from '../../http/error-catalogue';
import { sendEml, testEmailDeps } from '../../http/console-api-router';
import type { ConsoleContext } from '../console-context';
import type { ConsolePage } from '../pages';
import { sendPage } from '../page-render';
import { campaignOptions } from '../campaign-options';

/**
 * /console/send-test — one subscriber's test email for a campaign: download
 * the .eml, or send it to an address over OPENTIME_SMTP_URL. Posts to the
 * same function as POST /api/v1/campaigns/:campaignId/test-emails.
 */
export const sendTestPage: ConsolePage = {
  id: 'send-test',
  routes(router, context) {
    router.get('/send-test', async (req: Request, res: Response) => {
      await showForm(req, res, context, { campaign: text(req.query.campaign), subscriber: text(req.query.subscriber), template: text(req.query.template), to: '' });
    });

    router.post('/send-test', async (req: Request, res: Response) => {
      const form = { campaign: text(req.body?.campaign), subscriber: text(req.body?.subscriber), template: text(req.body?.template), to: text(req.body?.to) };
      const send = req.body?.action === 'send';
      try {
        const result = await createTestEmail(testEmailDeps(context), form.campaign, {
          subscriberId: form.subscriber,
          ...(form.template ? { template: form.template } : {}),
          ...(send ? { to: form.to } : {}),
        });
        if (!result.sent) return sendEml(res, result);
        await showForm(req, res, context, form, { sent: `Sent to ${result.to} from ${result.from} (template ${result.template}, ${result.bytes.toLocaleString('en-US')} bytes). The SMTP server answered: ${result.response}` });
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        const problems = error.errors?.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
        await showForm(req, res, context, form, { error: problems ? `${error.detail ?? error.message} ${problems}` : (error.detail ?? error.message), status: error.status });
      }
    });
  },
};

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

async function showForm(
  req: Request,
  res: Response,
  context: ConsoleContext,
  form: { campaign: string; subscriber: string; template: string; to: string },
  outcome: { sent?: string; error?: string; status?: number } = {},
): Promise<void> {
  const campaigns = await context.storage.campaigns.listCampaigns();
  const campaignId = form.campaign || campaigns[0]?.id || '';
  const chosen = campaigns.find((campaign) => campaign.id === campaignId);
  const templates = listTemplates();
  const template = form.template || chosen?.templates[0] || (templates.includes(campaignId) ? campaignId : '');
  sendPage(req, res, {
    nav: 'send-test',
    title: 'Send a test email',
    view: 'views/send-test',
    status: outcome.status,
    data: {
      campaigns: campaignOptions(campaigns, campaignId),
      templates: templates.map((name) => ({ name, selected: name === template })),
      subscriber: form.subscriber,
      to: form.to,
      smtp: context.settings.smtpUrl !== undefined,
      sent: outcome.sent,
      error: outcome.error,
      apiPath: `/api/v1/campaigns/${encodeURIComponent(campaignId)}/test-emails`,
    },
  });
}
