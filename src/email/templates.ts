import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root';
import { decodeEntities, scanHtml } from '../validate/html-scan';
import { parseOpentimeUrl } from './opentime-urls';
import { fillPlaceholders, VALIDATION_VALUES } from './placeholders';

/**
 * A campaign template is three files side by side in amp-templates/:
 *   <name>.amp.html  the AMP4EMAIL part (text/x-amp-html)
 *   <name>.html      the HTML part: the same blocks as images (text/html)
 *   <name>.txt       the plain-text part (text/plain)
 */
export const AMP_SUFFIX = '.amp.html';
export const HTML_SUFFIX = '.html';
export const TEXT_SUFFIX = '.txt';

export interface TemplateFiles {
  name: string;
  amp: string;
  html: string;
  text: string;
}

export interface CampaignTemplate {
  name: string;
  files: TemplateFiles;
  amp: string;
  html: string;
  text: string;
  /** The HTML part's <title>, used as the default subject. */
  subject: string | null;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export function defaultTemplatesDir(): string {
  return path.join(packageRoot(), 'amp-templates');
}

/** The three file paths of the template whose AMP, HTML or text part is `file`, or null if it is none of them. */
export function templateFilesFor(file: string): TemplateFiles | null {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let name: string;
  if (base.endsWith(AMP_SUFFIX)) name = base.slice(0, -AMP_SUFFIX.length);
  else if (base.endsWith(HTML_SUFFIX)) name = base.slice(0, -HTML_SUFFIX.length);
  else if (base.endsWith(TEXT_SUFFIX)) name = base.slice(0, -TEXT_SUFFIX.length);
  else return null;
  if (!name) return null;
  return {
    name,
    amp: path.join(dir, `${name}${AMP_SUFFIX}`),
    html: path.join(dir, `${name}${HTML_SUFFIX}`),
    text: path.join(dir, `${name}${TEXT_SUFFIX}`),
  };
}

/** Names of the templates in a directory (one per <name>.amp.html), sorted. */
export function listTemplates(dir: string = defaultTemplatesDir()): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (error) {
    throw new TemplateError(`Cannot read the templates directory ${dir}: ${(error as Error).message}`);
  }
  return entries
    .filter((entry) => entry.endsWith(AMP_SUFFIX) && entry.length > AMP_SUFFIX.length)
    .map((entry) => entry.slice(0, -AMP_SUFFIX.length))
    .sort();
}

export function titleOf(html: string): string | null {
  const title = scanHtml(html).elements.find((element) => element.name === 'title');
  const text = title?.text?.replace(/\s+/g, ' ').trim();
  return text ? decodeEntities(text) : null;
}

function read(file: string, part: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new TemplateError(`Cannot read the ${part} part ${file}: ${(error as Error).message}`);
  }
}

export function loadTemplate(name: string, dir: string = defaultTemplatesDir()): CampaignTemplate {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new TemplateError(`Invalid template name ${JSON.stringify(name)}: expected a file name such as "flash-sale" (amp-templates/flash-sale.amp.html).`);
  }
  const files = templateFilesFor(path.join(dir, `${name}${AMP_SUFFIX}`)) as TemplateFiles;
  if (!fs.existsSync(files.amp)) {
    const available = fs.existsSync(dir) ? listTemplates(dir) : [];
    throw new TemplateError(
      `No template "${name}" in ${dir} (expected ${path.basename(files.amp)}). ` +
        (available.length ? `Available: ${available.join(', ')}.` : 'That directory holds no <name>.amp.html templates.'),
    );
  }
  const html = read(files.html, 'HTML');
  return { name, files, amp: read(files.amp, 'AMP'), html, text: read(files.text, 'plain-text'), subject: titleOf(html) };
}

/** The Opentime blocks a template's AMP part shows, in order (from its amp-list src URLs). */
export function templateBlockIds(template: Pick<CampaignTemplate, 'amp'>): string[] {
  const ids: string[] = [];
  for (const element of scanHtml(fillPlaceholders(template.amp, VALIDATION_VALUES)).elements) {
    if (element.name !== 'amp-list') continue;
    const src = element.attributes.find((attribute) => attribute.name === 'src');
    const url = src ? parseOpentimeUrl(src.value) : null;
    if (url?.kind === 'amp' && !ids.includes(url.blockId)) ids.push(url.blockId);
  }
  return ids;
}
