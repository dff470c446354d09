import type { Request, Response } from 'express';
import { searchSubscribers } from '../../api/subscriber-search';
import { HttpError } from '../../http/error-catalogue';
import { sendError } from '../../http/error-handler';
import { apiImageUrl, sendPreviewImage } from '../../http/preview-router';
import { sendJson } from '../../http/send-json';
import { previewEmail, type EmailPreview, type PreviewImageUrl } from '../../preview/email-preview';
import type { BlockPreview } from '../../preview/preview-service';
import { PREVIEW_CLIENT_LABELS, PREVIEW_CLIENTS, previewQuery, type PreviewTarget } from '../../preview/preview-target';
import type { ConsoleContext } from '../console-context';
import { sendPage } from '../page-render';
import type { ConsolePage } from '../pages';
import { formatInZone, validTimeZone, zoneOptions } from '../time-zones';
import { instantOf, wallTimeIn } from './wall-time';
import { campaignOptions } from '../campaign-options';

/**
 * /console/preview (README "Preview"): a campaign, a subscriber (by id or
 * name), a moment and a client; each block's JSON beside its picture, the
 * whole email's HTML and AMP parts, its sizes and the validator's verdict.
 * Everything comes from the preview service that
 * GET /api/v1/preview/campaigns/:id/email answers with; the pictures from
 * /console/preview/image/…, which answers what
 * GET /api/v1/preview/campaigns/:id/blocks/:block.png does, with the console's cookie.
 */
export const previewPage: ConsolePage = {
  id: 'preview',
  routes(router, context) {
    router.get('/preview', async (req: Request, res: Response) => {
      const data = await previewPageData(req, context);
      sendPage(req, res, { nav: 'preview', title: 'Preview', view: 'preview/views/preview', data });
    });
    router.get('/preview/image/:campaignId/:file', async (req: Request, res: Response) => {
      await sendPreviewImage({ service: context.preview.service, now: context.now }, req, res, String(req.params.campaignId), String(req.params.file));
    });
    // The subscriber field's suggestions as the user types (console.js): what GET /api/v1/subscribers?q= answers, with the console's cookie.
    router.get('/preview/subscribers', async (req: Request, res: Response) => {
      try {
        sendJson(res, 200, { subscribers: await searchSubscribers(context.storage.subscriberSearch, req.query.q) });
      } catch (error) {
        sendError(req, res, error);
      }
    });
  },
};

async function previewPageData(req: Request, context: ConsoleContext): Promise<object> {
  const { service, email: emailDeps } = context.preview;
  const campaigns = await context.storage.campaigns.listCampaigns();
  const campaignId = text(req.query.campaign) ?? campaigns[0]?.id;
  const typed = text(req.query.subscriber) ?? '';
  const clientAsked = text(req.query.client);
  const client = PREVIEW_CLIENTS.find((known) => known === clientAsked) ?? 'amp';
  const template = text(req.query.template);

  // A subscriber id typed in full wins; otherwise the search (GET /api/v1/subscribers?q=) must find exactly one.
  const exact = typed ? await context.openCatalogue.getSubscriber(typed) : undefined;
  const matches = typed && !exact ? await context.storage.subscriberSearch.searchSubscribers(typed) : [];
  const subscriber = exact ?? (matches.length === 1 ? await context.openCatalogue.getSubscriber((matches[0] as { id: string }).id) : undefined);

  const zoneAsked = text(req.query.zone);
  const zone = validTimeZone(zoneAsked ?? subscriber?.timeZone, context.settings.timeZone);
  const momentText = text(req.query.moment);
  const now = context.now();
  let at = now;
  if (momentText && req.query.now === undefined) {
    const instant = instantOf(momentText, zone);
    if (!instant) throw new HttpError('query_invalid', `moment: expected a date and time such as 2026-11-22T11:00 (read in ${zone}); received ${JSON.stringify(momentText.slice(0, 40))}.`);
    at = instant;
  }

  const form = {
    campaigns: campaignOptions(campaigns, campaignId),
    subscriber: subscriber?.id ?? typed,
    matches: (matches.length ? matches : []).map((match) => ({ ...match, label: `${match.firstName} · ${match.locale} · ${match.timeZone}` })),
    moment: wallTimeIn(at, zone),
    zone,
    zones: [{ zone: '', label: `Subscriber's zone${subscriber ? ` (${subscriber.timeZone})` : ''}`, selected: zoneAsked === undefined }, ...zoneOptions(zone).map((option) => ({ ...option, label: option.zone, selected: zoneAsked !== undefined && option.selected }))],
    clients: PREVIEW_CLIENTS.map((id) => ({ id, label: PREVIEW_CLIENT_LABELS[id], selected: id === client })),
    template,
  };
  const base = { form, none: campaigns.length === 0, typed };
  if (!campaignId || !subscriber) {
    return { ...base, needSubscriber: !typed, noMatch: Boolean(typed) && matches.length === 0, pick: matches.length > 1 ? pickLinks(req, matches) : null };
  }

  const target: PreviewTarget = { campaignId, subscriberId: subscriber.id, at, client };
  const subject = await service.subjectOf(target);
  const email = await previewEmail(emailDeps, subject, template, consoleImageUrl(target));
  return {
    ...base,
    preview: true,
    momentShown: formatInZone(at, zone),
    subscriberShown: `${subscriber.firstName ?? subscriber.id} (${subscriber.id}, ${subscriber.locale}, ${subscriber.timeZone})`,
    prefetch: !subject.humanOpen,
    blocks: email.blocks.map((block) => blockRow(block, target)),
    email: emailData(email),
    templates: email.templates.map((name) => ({ name, selected: name === email.template })),
    api: {
      email: `/api/v1/preview/campaigns/${encodeURIComponent(campaignId)}/email?${previewQuery(target)}&template=${encodeURIComponent(email.template)}`,
      block: `/api/v1/preview/campaigns/${encodeURIComponent(campaignId)}/blocks/<blockId>?${previewQuery(target)}`,
    },
  };
}

function blockRow(block: BlockPreview, target: PreviewTarget) {
  return {
    ...block,
    jsonText: JSON.stringify(block.json, null, 2),
    imageUrl: consoleImageUrl(target)(block.blockId, block.imageFormat, undefined),
    apiImageUrl: apiImageUrl(target)(block.blockId, block.imageFormat, undefined),
    fallback: block.outcome === 'fallback',
    reasonText: block.reason === 'held_back' ? 'rules held it back' : block.reason === 'data_missing' ? 'its data is missing' : block.reason === 'holdout' ? 'experiment holdout' : block.reason === 'error' ? 'an error' : null,
  };
}

function emailData(email: EmailPreview) {
  const bar = (bytes: number, limit: number, label: string, what: string) => {
    const share = bytes / limit;
    return {
      label,
      what,
      bytes: bytes.toLocaleString('en-US'),
      limit: limit.toLocaleString('en-US'),
      percent: (share * 100).toFixed(1),
      width: Math.min(100, Math.max(0.5, share * 100)).toFixed(1),
      tone: share >= 1 ? 'bad' : share >= 0.8 ? 'warn' : 'ok',
    };
  };
  const { sizes, validator } = email;
  return {
    ...email,
    sizes: [
      bar(sizes.ampBytes, sizes.ampLimit, 'AMP part', 'AMP for Email limit'),
      bar(sizes.styleBytes, sizes.styleLimit, '<style amp-custom>', 'AMP CSS limit'),
      bar(sizes.htmlBytes, sizes.gmailClipAt, 'HTML part', 'Gmail clips beyond'),
    ],
    validator: {
      ...validator,
      pass: validator.status === 'pass',
      unavailable: validator.status === 'unavailable',
      findings: [...validator.errors, ...validator.warnings].map((finding) => ({ ...finding, error: finding.severity === 'error' })),
    },
  };
}

/** Where the console's page asks for a preview picture: its own route, which a signed-in browser's cookie reaches. */
function consoleImageUrl(target: PreviewTarget): PreviewImageUrl {
  return (blockId, format, part) =>
    `/console/preview/image/${encodeURIComponent(target.campaignId)}/${blockId}.${format}?${previewQuery(target)}${part === undefined ? '' : `&slot=${part}`}`;
}

/** The form again with one of several matches chosen. */
function pickLinks(req: Request, matches: readonly { id: string; firstName: string; locale: string }[]) {
  return matches.map((match) => {
    const query = new URLSearchParams(Object.entries(req.query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    query.set('subscriber', match.id);
    return { ...match, href: `/console/preview?${query.toString()}` };
  });
}

/** One query value as text; absent, empty or repeated: undefined. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
