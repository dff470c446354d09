import path from 'node:path';
import type { BlockCatalog } from '../blocks/blocks-config';
import { liveBlocks, type LiveBlocks } from '../blocks/live-blocks';
import type { ImagePart } from '../blocks/slots';
import { defaultTemplatesDir, listTemplates, loadTemplate, templateBlockIds, TemplateError, type CampaignTemplate } from '../email/templates';
import { fillPlaceholders } from '../email/placeholders';
import { parseOpentimeUrl, type ImageFormat } from '../email/opentime-urls';
import type { FormsCatalog } from '../forms/forms-config';
import { HttpError } from '../http/error-catalogue';
import type { AmpListPayload } from '../kinds/kind';
import { LIMITS, type Finding } from '../validate/checks';
import type { AmpEngine } from '../validate/engine';
import { scanHtml } from '../validate/html-scan';
import { validateTemplate } from '../validate/validate';
import { linksInNewWindow, renderAmpPreview } from './amp-preview';
import type { BlockPreview, PreviewService, PreviewSubject } from './preview-service';

/**
 * The whole email of a preview (README "Preview"): the campaign's template
 * with every block resolved once for the subscriber at the moment, its HTML
 * part pointing at the preview pictures, its AMP part filled from the same
 * JSON, its size against Gmail's limits and the validator's verdict.
 */

/** Gmail clips a message whose HTML is larger than this ("[Message clipped] View entire message"). */
const GMAIL_CLIP_BYTES = 102_400;

/** The base URL sizes are measured with when the server was given none (the server's own default). */
export const DEFAULT_PREVIEW_PUBLIC_URL = 'http://localhost:8080';

export interface EmailPreviewDeps {
  service: PreviewService;
  blocks: BlockCatalog | LiveBlocks;
  /** The forms config the template's forms are checked against (absent: none, as without OPENTIME_FORMS). */
  forms?: FormsCatalog;
  templatesDir?: string;
  /** The base URL emails carry (config publicUrl), for the sizes as sent. */
  publicUrl: string;
  /** The length of the subscriber's token in the URLs as sent (minted and measured, never shown). */
  tokenLength(subject: PreviewSubject): number;
  /** The official AMP validator (validate/engine.ts loadEngine). */
  engine(): Promise<AmpEngine>;
}

/** Where the preview's pictures are asked for: the API's image endpoint, or the console's. */
export type PreviewImageUrl = (blockId: string, format: ImageFormat, part: ImagePart | undefined) => string;

export interface EmailSizes {
  /** The AMP part as sent (this server's URL and the subscriber's token filled in). */
  ampBytes: number;
  ampLimit: number;
  /** `<style amp-custom>`. */
  styleBytes: number;
  styleLimit: number;
  /** The HTML part as sent. */
  htmlBytes: number;
  gmailClipAt: number;
}

export interface ValidatorVerdict {
  /** `unavailable`: the engine could not be loaded (the detail is the only error). */
  status: 'pass' | 'fail' | 'unavailable';
  engine: string | null;
  errors: Finding[];
  warnings: Finding[];
}

export interface EmailPreview {
  template: string;
  /** The templates the campaign sends (the one shown first when it names none). */
  templates: string[];
  subject: string | null;
  blocks: BlockPreview[];
  /** The HTML part: Opentime pictures from the preview image endpoint, clicks straight to where the click route would send them. */
  html: string;
  /** The AMP part with each amp-list's amp-mustache template filled from its block's JSON: the data, not Gmail's renderer. */
  ampRendered: string;
  sizes: EmailSizes;
  validator: ValidatorVerdict;
}

/** Stands for this server in the filled template, so our URLs are found and rewritten (a reserved name: it never resolves). */
const PREVIEW_ORIGIN = 'https://opentime-preview.invalid';
const PREVIEW_URL = /https:\/\/opentime-preview\.invalid\/[^"'\s<>]*/g;

export async function previewEmail(deps: EmailPreviewDeps, subject: PreviewSubject, templateName: string | undefined, imageUrl: PreviewImageUrl): Promise<EmailPreview> {
  const dir = deps.templatesDir ?? defaultTemplatesDir();
  const template = templateFor(subject, templateName, dir);
  const catalog = liveBlocks(deps.blocks).current;
  const filled = { amp: fillPlaceholders(template.amp, { baseUrl: PREVIEW_ORIGIN, token: 'preview' }), html: fillPlaceholders(template.html, { baseUrl: PREVIEW_ORIGIN, token: 'preview' }) };

  // Each block once, in the AMP part's order then any the HTML part alone shows: the JSON, the AMP fill and the links share it.
  const ids = [...new Set([...templateBlockIds(template), ...htmlBlockIds(filled.html)])].filter((id) => catalog.has(id));
  const blocks = await Promise.all(ids.map((id) => deps.service.block(subject, deps.service.blockOf(id))));
  const byId = new Map(blocks.map((block) => [block.blockId, block]));

  const html = linksInNewWindow(
    filled.html.replace(PREVIEW_URL, (raw) => {
      const url = parseOpentimeUrl(raw.replace(/&amp;/g, '&'));
      if (url?.kind === 'image') return escapeAttribute(imageUrl(url.blockId, url.format, url.part ?? undefined));
      if (url?.kind === 'click') return escapeAttribute(byId.get(url.blockId)?.slotUrls[url.slot] ?? '#');
      return '#';
    }),
  );
  const ampRendered = renderAmpPreview(filled.amp, (src): AmpListPayload | null => {
    const url = parseOpentimeUrl(src);
    if (url?.kind !== 'amp' || url.origin !== PREVIEW_ORIGIN) return null;
    return byId.get(url.blockId)?.json ?? { items: [] };
  });

  return {
    template: template.name,
    templates: [...new Set([...subject.campaign.templates, template.name])],
    subject: template.subject,
    blocks,
    html,
    ampRendered,
    sizes: sizesOf(template, deps.publicUrl, deps.tokenLength(subject)),
    validator: await verdictOf(template, catalog, deps),
  };
}

/** `?template=`, else the campaign's first template, else the one named like the campaign (as `opentime email` picks it). */
function templateFor(subject: PreviewSubject, asked: string | undefined, dir: string): CampaignTemplate {
  const available = safeList(dir);
  const name = asked ?? subject.campaign.templates[0] ?? (available.includes(subject.campaign.id) ? subject.campaign.id : undefined);
  if (name === undefined) {
    throw new HttpError('template_not_found', `Campaign "${subject.campaign.id}" names no template and none is named after it; pass template=<name>. Available: ${available.join(', ') || 'none'}.`);
  }
  try {
    return loadTemplate(name, dir);
  } catch (error) {
    if (error instanceof TemplateError) throw new HttpError('template_not_found', `No template "${name.slice(0, 64)}". Available: ${available.join(', ') || 'none'}.`);
    throw error;
  }
}

function safeList(dir: string): string[] {
  try {
    return listTemplates(dir);
  } catch {
    return [];
  }
}

function htmlBlockIds(html: string): string[] {
  const ids: string[] = [];
  for (const match of html.matchAll(PREVIEW_URL)) {
    const url = parseOpentimeUrl(match[0].replace(/&amp;/g, '&'));
    if (url) ids.push(url.blockId);
  }
  return ids;
}

function sizesOf(template: CampaignTemplate, publicUrl: string, tokenLength: number): EmailSizes {
  const asSent = { baseUrl: publicUrl, token: 'x'.repeat(tokenLength) };
  const style = scanHtml(template.amp).elements.find((element) => element.name === 'style' && element.attributes.some((attribute) => attribute.name === 'amp-custom'));
  return {
    ampBytes: bytes(fillPlaceholders(template.amp, asSent)),
    ampLimit: LIMITS.ampBytes,
    styleBytes: bytes(style?.text ?? ''),
    styleLimit: LIMITS.ampCustomCssBytes,
    htmlBytes: bytes(fillPlaceholders(template.html, asSent)),
    gmailClipAt: GMAIL_CLIP_BYTES,
  };
}

/** The official engine and Opentime's own checks on the template, as `opentime validate` runs them. */
async function verdictOf(template: CampaignTemplate, blocks: BlockCatalog, deps: EmailPreviewDeps): Promise<ValidatorVerdict> {
  let engine: AmpEngine;
  try {
    engine = await deps.engine();
  } catch (error) {
    const message = `The AMP validator could not be loaded: ${(error as Error).message}`;
    return { status: 'unavailable', engine: null, errors: [{ file: template.files.amp, line: 1, col: 1, severity: 'error', message, specUrl: null, rule: 'amp' }], warnings: [] };
  }
  const report = validateTemplate(template.files, { blocks, forms: deps.forms, engine, publicUrl: deps.publicUrl, cwd: path.dirname(path.dirname(template.files.amp)) });
  const errors = report.findings.filter((finding) => finding.severity === 'error');
  const warnings = report.findings.filter((finding) => finding.severity === 'warning');
  return { status: errors.length === 0 ? 'pass' : 'fail', engine: engine.description, errors, warnings };
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
