import type { BlockCatalog } from '../blocks/blocks-config';
import { NO_FORMS, type FormsCatalog } from '../forms/forms-config';
import { checkAmpForm, checkFormLink, checkResultsList, type FormProblem } from './form-checks';
import { slotCount, type ImagePart } from '../blocks/slots';
import { looksLikeOpentimePath, parseOpentimeUrl, type OpentimeUrl } from '../email/opentime-urls';
import { fillPlaceholders, PLACEHOLDERS, unknownPlaceholders, VALIDATION_VALUES } from '../email/placeholders';
import { attribute, closest, hasAttribute, positionFinder, scanHtml, type HtmlElement, type ScannedDocument } from './html-scan';

/**
 * Opentime's own checks on a campaign template, on top of the official AMP
 * engine: the amp-lists point at blocks that exist and can fail gracefully,
 * the HTML part shows the same blocks in the same order as linked images,
 * every Opentime URL carries the recipient's token, and the AMP for Email
 * size limits hold (docs/ARCHITECTURE.md, "Facts about email clients").
 */

export type Severity = 'error' | 'warning';

export interface Finding {
  file: string;
  line: number;
  col: number;
  severity: Severity;
  message: string;
  specUrl: string | null;
  /** `amp` for the official engine, otherwise the name of our rule. */
  rule: string;
}

/** AMP for Email limits (https://amp.dev/documentation/guides-and-tutorials/learn/email-spec/amp-email-format/). */
export const LIMITS = {
  ampBytes: 200_000,
  ampCustomCssBytes: 75_000,
  inlineStyleBytes: 1_000,
} as const;

/** Used to estimate the size of the sent AMP part: our tokens are about 300 characters. */
export const TOKEN_LENGTH_ESTIMATE = 400;

const SPEC = {
  format: 'https://amp.dev/documentation/guides-and-tutorials/learn/email-spec/amp-email-format/',
  css: 'https://amp.dev/documentation/guides-and-tutorials/learn/email-spec/amp-email-css/',
  /** amp-list's placeholder and fallback children. */
  ampFallback: 'https://amp.dev/documentation/guides-and-tutorials/develop/style_and_layout/placeholders/',
  placeholders: 'amp-templates/README.md#placeholders',
  writing: 'amp-templates/README.md#writing-a-template',
  checks: 'amp-templates/README.md#checks',
  forms: 'README.md#interactive-amp-forms',
} as const;

export interface TemplateSources {
  /** Paths as they should appear in messages. */
  ampFile: string;
  htmlFile: string;
  textFile: string;
  amp: string;
  /** null when the file does not exist. */
  html: string | null;
  text: string | null;
}

export interface CheckOptions {
  blocks: BlockCatalog;
  /** The forms config (OPENTIME_FORMS): what form actions, results lists and link votes may name; default: none. */
  forms?: FormsCatalog;
  /** The base URL emails will carry (config publicUrl), for the size estimate. */
  publicUrl?: string;
}

/** One block as the AMP part uses it, in document order. */
export interface AmpBlockUse {
  blockId: string;
  offset: number;
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

class Reporter {
  readonly findings: Finding[] = [];
  constructor(
    private readonly file: string,
    private readonly position: (offset: number) => { line: number; col: number },
  ) {}

  at(offset: number, severity: Severity, rule: string, message: string, specUrl: string | null = null): void {
    const { line, col } = this.position(offset);
    this.findings.push({ file: this.file, line, col, severity, message, specUrl, rule });
  }
}

function substituted(text: string): string {
  // Same-length dummies: offsets in the filled text are offsets in the source.
  const withoutUnknown = text.replace(/%%OPENTIME_[A-Za-z0-9_]*%%/g, (marker) =>
    marker === PLACEHOLDERS.baseUrl || marker === PLACEHOLDERS.token ? marker : ' '.repeat(marker.length),
  );
  return fillPlaceholders(withoutUnknown, VALIDATION_VALUES);
}

function reportUnknownPlaceholders(source: string, reporter: Reporter): void {
  for (const { name, offset } of unknownPlaceholders(source)) {
    reporter.at(offset, 'error', 'placeholder', `Unknown placeholder ${name}. Expected ${PLACEHOLDERS.baseUrl} or ${PLACEHOLDERS.token}.`, SPEC.placeholders);
  }
}

/** Token and base-URL checks shared by every part; returns the block id when it is one we serve. */
function checkOpentimeUrl(
  url: OpentimeUrl,
  offset: number,
  reporter: Reporter,
  options: CheckOptions,
  what: string,
): boolean {
  if (url.token !== VALIDATION_VALUES.token) {
    reporter.at(
      offset,
      'error',
      'token',
      `${what} must carry the recipient's token: end it with ?t=${PLACEHOLDERS.token} (found ${url.token === null ? 'no t parameter' : 'a fixed value'}).`,
      SPEC.placeholders,
    );
  }
  if (url.origin !== VALIDATION_VALUES.baseUrl) {
    reporter.at(
      offset,
      'warning',
      'base-url',
      `${what} hard-codes ${url.origin}; start it with ${PLACEHOLDERS.baseUrl} so the template works against every Opentime server.`,
      SPEC.placeholders,
    );
  }
  if (!options.blocks.has(url.blockId)) {
    reporter.at(offset, 'error', 'unknown-block', `${what} names block "${url.blockId}", which is not in the blocks config. Known blocks: ${[...options.blocks.keys()].join(', ')}.`, SPEC.checks);
    return false;
  }
  return true;
}

function directChildWith(element: HtmlElement, attributeName: string): HtmlElement | undefined {
  return element.children.find((child) => hasAttribute(child, attributeName));
}

/** Checks the AMP part; returns its blocks in document order. */
function checkAmpPart(sources: TemplateSources, options: CheckOptions, findings: Finding[], polls: Set<string> = new Set()): AmpBlockUse[] {
  const filled = substituted(sources.amp);
  const doc = scanHtml(filled);
  const reporter = new Reporter(sources.ampFile, doc.position);
  reportUnknownPlaceholders(sources.amp, reporter);
  const uses: AmpBlockUse[] = [];
  const forms = options.forms ?? NO_FORMS;
  const formProblems: FormProblem[] = [];

  for (const element of doc.elements) {
    if (element.name === 'form') {
      const poll = checkAmpForm(element, forms, formProblems);
      if (poll) polls.add(poll);
    }
    if (element.name === 'amp-list') {
      const src = attribute(element, 'src');
      const url = src ? parseOpentimeUrl(src.value) : null;
      if (src && checkResultsList(src, forms, formProblems)) {
        if (!directChildWith(element, 'fallback')) {
          reporter.at(element.offset, 'error', 'amp-list-fallback', 'amp-list of poll results has no fallback: add a <div fallback> child, shown when the request fails.', SPEC.ampFallback);
        }
      } else if (!src || !url || url.kind !== 'amp') {
        if (src && !looksLikeOpentimePath(src.value) && !src.value.includes(VALIDATION_VALUES.baseUrl)) {
          // Someone else's endpoint: not ours to check.
        } else {
          reporter.at(
            src?.valueOffset ?? element.offset,
            'error',
            'amp-list-src',
            `amp-list src must be an Opentime block URL: ${PLACEHOLDERS.baseUrl}/amp/v1/blocks/<block-id>?t=${PLACEHOLDERS.token}.`,
            SPEC.placeholders,
          );
        }
      } else {
        if (checkOpentimeUrl(url, src.valueOffset, reporter, options, 'amp-list src')) uses.push({ blockId: url.blockId, offset: element.offset });
        if (!directChildWith(element, 'fallback')) {
          reporter.at(
            element.offset,
            'error',
            'amp-list-fallback',
            `amp-list for block "${url.blockId}" has no fallback: add a <div fallback> child, shown when the request fails (bad token, server down).`,
            SPEC.ampFallback,
          );
        }
        if (!directChildWith(element, 'placeholder')) {
          reporter.at(element.offset, 'warning', 'amp-list-placeholder', `amp-list for block "${url.blockId}" has no placeholder: add a <div placeholder> child of the same size as the content.`, SPEC.ampFallback);
        }
      }
    }

    if (element.name === 'style' && hasAttribute(element, 'amp-custom') && element.text !== null) {
      const size = bytes(element.text);
      if (size > LIMITS.ampCustomCssBytes) {
        reporter.at(element.offset, 'error', 'css-size', `<style amp-custom> holds ${size.toLocaleString('en-US')} bytes; the limit is ${LIMITS.ampCustomCssBytes.toLocaleString('en-US')}.`, SPEC.css);
      }
      for (const match of element.text.matchAll(/!\s*important/gi)) {
        reporter.at(element.textOffset + (match.index ?? 0), 'error', 'important', '!important is not allowed in AMP for Email CSS.', SPEC.css);
      }
    }

    const style = attribute(element, 'style');
    if (style) {
      const size = bytes(style.value);
      if (size > LIMITS.inlineStyleBytes) {
        reporter.at(style.offset, 'error', 'inline-style-size', `Inline style attribute of ${size.toLocaleString('en-US')} bytes; the limit is ${LIMITS.inlineStyleBytes.toLocaleString('en-US')}.`, SPEC.css);
      }
      const important = /!\s*important/i.exec(style.value);
      if (important) reporter.at(style.valueOffset, 'error', 'important', '!important is not allowed in AMP for Email inline styles.', SPEC.css);
    }
  }

  const size = bytes(filled);
  const tokens = sources.amp.split(PLACEHOLDERS.token).length - 1;
  const bases = sources.amp.split(PLACEHOLDERS.baseUrl).length - 1;
  const estimate =
    size + tokens * (TOKEN_LENGTH_ESTIMATE - PLACEHOLDERS.token.length) + bases * ((options.publicUrl?.length ?? 64) - PLACEHOLDERS.baseUrl.length);
  if (size > LIMITS.ampBytes) {
    reporter.at(0, 'error', 'size', `The AMP part is ${size.toLocaleString('en-US')} bytes; the limit is ${LIMITS.ampBytes.toLocaleString('en-US')}.`, SPEC.format);
  } else if (estimate > LIMITS.ampBytes) {
    reporter.at(0, 'error', 'size', `The AMP part is ${size.toLocaleString('en-US')} bytes, about ${estimate.toLocaleString('en-US')} once tokens and the base URL are filled in; the limit is ${LIMITS.ampBytes.toLocaleString('en-US')}.`, SPEC.format);
  }
  for (const problem of formProblems) reporter.at(problem.offset, problem.severity, problem.rule, problem.message, SPEC.forms);
  if (uses.length === 0 && polls.size === 0 && !reporter.findings.some((finding) => finding.rule === 'amp-list-src')) {
    reporter.at(0, 'warning', 'no-blocks', 'The AMP part has no amp-list pointing at an Opentime block.', SPEC.checks);
  }
  findings.push(...reporter.findings);
  return uses;
}

interface ImageUse {
  blockId: string;
  element: HtmlElement;
  offset: number;
  /** Set for one part of a picture cut into linked cells (`?slot=`). */
  part?: ImagePart;
}

/** The HTML part: one linked Opentime image per AMP block, same blocks, same order. */
function checkHtmlPart(sources: TemplateSources, html: string, ampBlocks: AmpBlockUse[], options: CheckOptions, findings: Finding[]): void {
  const doc = scanHtml(substituted(html));
  const reporter = new Reporter(sources.htmlFile, doc.position);
  reportUnknownPlaceholders(html, reporter);
  const images: ImageUse[] = [];
  const stylesheet = stylesheetRules(doc);
  const linkedFromImages = new Set<HtmlElement>();
  /** Blocks shown as parts (`?slot=`): which card slots have their linked part. */
  const partsShown = new Map<string, { offset: number; slots: Set<number> }>();
  /** The same for the narrow pictures' parts (`&layout=narrow`), which a phone shows instead. */
  const narrowPartsShown = new Map<string, { offset: number; slots: Set<number> }>();

  for (const element of doc.elements) {
    if (element.name !== 'img') continue;
    const src = attribute(element, 'src');
    const url = src ? parseOpentimeUrl(src.value) : null;
    if (!src || !url) continue;
    if (url.kind !== 'image') {
      reporter.at(src.valueOffset, 'error', 'html-image', `This <img> points at a ${url.kind === 'amp' ? 'JSON (AMP)' : 'click'} URL; use ${PLACEHOLDERS.baseUrl}/img/v1/blocks/<block-id>.png?t=${PLACEHOLDERS.token}.`, SPEC.writing);
      continue;
    }
    if (!checkOpentimeUrl(url, src.valueOffset, reporter, options, 'Image src')) continue;
    if (url.part === null) {
      reporter.at(src.valueOffset, 'error', 'html-image', 'slot= names no part of the picture: expected slot=header or a card slot number (0, 1, …).', SPEC.writing);
      continue;
    }
    const usemap = attribute(element, 'usemap');
    const fluid = usemap ? fluidReason(element, stylesheet) : null;
    if (usemap && fluid) {
      reporter.at(
        usemap.offset,
        'error',
        'image-map',
        `The image of block "${url.blockId}" uses an image map (usemap="${usemap.value}") but scales with the layout (${fluid}): <area> coordinates are in the picture's own pixels and do not scale, so on a phone a tap opens the wrong card. ` +
          `Cut the picture into per-card parts instead: ?slot=header for the title band, and one ?slot=N image per card, each wrapped in <a href="${PLACEHOLDERS.baseUrl}/c/v1/blocks/${url.blockId}/N?t=${PLACEHOLDERS.token}"> in its own cell (flash-sale.html shows how).`,
        SPEC.writing,
      );
    }
    if (url.layout === 'narrow') {
      // A phone's stand-in for a block's wide picture (README "Phones"), not a use of its own: the order check reads the wide ones.
      if (!images.some((use) => use.blockId === url.blockId)) {
        reporter.at(src.valueOffset, 'error', 'html-blocks', `The narrow picture (layout=narrow) of block "${url.blockId}" stands in for its wide picture on phones: put it after the block's wide image.`, SPEC.writing);
      }
      if (url.part === undefined) checkImageLinks(element, url.blockId, doc, reporter, options, linkedFromImages);
      else checkPartLink(element, url.blockId, url.part, reporter, options, linkedFromImages, narrowPartsShown);
      continue;
    }
    const previous = images[images.length - 1];
    // The parts of one picture, one after another, are one use of its block.
    if (url.part === undefined || previous?.blockId !== url.blockId || previous.part === undefined) {
      images.push({ blockId: url.blockId, element, offset: element.offset, part: url.part });
    }
    if (url.part === undefined) checkImageLinks(element, url.blockId, doc, reporter, options, linkedFromImages);
    else checkPartLink(element, url.blockId, url.part, reporter, options, linkedFromImages, partsShown);
  }
  for (const [shownParts, layout] of [[partsShown, ''], [narrowPartsShown, 'layout=narrow&amp;']] as const) {
    for (const [blockId, shown] of shownParts) {
      const missing = Array.from({ length: slotCount(options.blocks.get(blockId)) }, (_, slot) => slot).filter((slot) => !shown.slots.has(slot));
      if (missing.length) {
        const which = layout ? `Block "${blockId}"'s narrow picture` : `Block "${blockId}"`;
        reporter.at(shown.offset, 'error', 'html-link', `${which} is cut into parts, but no linked card part shows slot${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: add <a href="…/c/v1/blocks/${blockId}/<slot>?t=…"><img src="…/img/v1/blocks/${blockId}.png?slot=<slot>&amp;${layout}t=…"></a> for each.`, SPEC.writing);
      }
    }
  }

  // Same blocks, same order (docs/ARCHITECTURE.md: the AMP and HTML parts can never disagree).
  const count = Math.max(images.length, ampBlocks.length);
  for (let i = 0; i < count; i++) {
    const image = images[i];
    const amp = ampBlocks[i];
    if (image && amp && image.blockId === amp.blockId) continue;
    const ampList = ampBlocks.map((use) => use.blockId).join(', ') || 'none';
    const htmlList = images.map((use) => use.blockId).join(', ') || 'none';
    const detail = `The AMP part shows [${ampList}]; the HTML part's images show [${htmlList}]. Each AMP block needs its image, in the same order.`;
    if (image && amp) reporter.at(image.offset, 'error', 'html-blocks', `Image ${i + 1} shows block "${image.blockId}" where the AMP part's block ${i + 1} is "${amp.blockId}". ${detail}`, SPEC.writing);
    else if (image) reporter.at(image.offset, 'error', 'html-blocks', `Image ${i + 1} shows block "${image.blockId}", which the AMP part does not show. ${detail}`, SPEC.writing);
    else if (amp) reporter.at(doc.root.children.length ? bodyEnd(doc) : 0, 'error', 'html-blocks', `No image for the AMP part's block ${i + 1} ("${amp.blockId}"). ${detail}`, SPEC.writing);
    break;
  }

  // Other Opentime links (text links, buttons) must carry the token too.
  for (const element of doc.elements) {
    if ((element.name !== 'a' && element.name !== 'area') || linkedFromImages.has(element)) continue;
    const href = attribute(element, 'href');
    const url = href ? parseOpentimeUrl(href.value) : null;
    if (href && url) checkOpentimeUrl(url, href.valueOffset, reporter, options, 'Link');
  }
  findings.push(...reporter.findings);
}

/** One rule of a `<style>` element: its selectors and declarations (property → value, lower-cased, `!important` dropped). */
interface CssRule {
  selectors: string[];
  declarations: Map<string, string>;
}

function declarationsOf(text: string): Map<string, string> {
  const declarations = new Map<string, string>();
  for (const declaration of text.split(';')) {
    const colon = declaration.indexOf(':');
    if (colon === -1) continue;
    const value = declaration.slice(colon + 1).replace(/!\s*important/i, '').trim().toLowerCase();
    declarations.set(declaration.slice(0, colon).trim().toLowerCase(), value);
  }
  return declarations;
}

/** The innermost `selectors { declarations }` blocks of every `<style>` (rules inside @media included: they apply on phones). */
function stylesheetRules(doc: ScannedDocument): CssRule[] {
  const rules: CssRule[] = [];
  for (const element of doc.elements) {
    if (element.name !== 'style' || element.text === null) continue;
    const css = element.text.replace(/\/\*[\s\S]*?\*\//g, '');
    for (const match of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
      const selectors = (match[1] as string).split(',').map((selector) => selector.trim()).filter(Boolean);
      rules.push({ selectors, declarations: declarationsOf(match[2] as string) });
    }
  }
  return rules;
}

/** Whether a selector's last compound (`img`, `img.hero`, `.hero`, `#hero`) can select this image; combinators before it are not checked. */
function selectsImage(selector: string, image: HtmlElement): boolean {
  const compound = selector.split(/[\s>+~]+/).pop() ?? '';
  const match = /^(\*|[a-z][a-z0-9-]*)?((?:[.#][\w-]+)*)$/i.exec(compound);
  if (!match || compound === '') return false;
  const tag = match[1]?.toLowerCase();
  if (tag !== undefined && tag !== '*' && tag !== 'img') return false;
  const classes = new Set((attribute(image, 'class')?.value ?? '').split(/\s+/).filter(Boolean));
  const id = attribute(image, 'id')?.value;
  for (const part of (match[2] ?? '').match(/[.#][\w-]+/g) ?? []) {
    if (part[0] === '.' ? !classes.has(part.slice(1)) : part.slice(1) !== id) return false;
  }
  return true;
}

/**
 * Why an image scales with the layout instead of keeping a fixed pixel size
 * (a short description for the message), or null when it keeps its size. An
 * image map's coordinates are in the picture's own pixels, so they only hit
 * the right card on an image drawn at exactly that size. Fluid: a width that
 * is not in pixels (`width:100%`), any `max-width`, `height:auto` (which only
 * makes sense when the width scales), from the inline style or a `<style>`
 * rule for the image; or no pixel width at all (neither `width="600"` nor
 * `width:600px`), which leaves the size to the client.
 */
function fluidReason(image: HtmlElement, stylesheet: readonly CssRule[]): string | null {
  const inline = declarationsOf(attribute(image, 'style')?.value ?? '');
  const sources: { where: string; declarations: Map<string, string> }[] = [{ where: 'style', declarations: inline }];
  for (const rule of stylesheet) {
    const selector = rule.selectors.find((candidate) => selectsImage(candidate, image));
    if (selector) sources.push({ where: `<style> rule "${selector}"`, declarations: rule.declarations });
  }
  for (const { where, declarations } of sources) {
    const width = declarations.get('width');
    if (width !== undefined && !/^\d+(\.\d+)?px$/.test(width)) return `${where} width:${width}`;
    const maxWidth = declarations.get('max-width');
    if (maxWidth !== undefined && maxWidth !== 'none') return `${where} max-width:${maxWidth}`;
    if (declarations.get('height') === 'auto') return `${where} height:auto`;
  }
  const pixelWidth = /^\d+$/.test(attribute(image, 'width')?.value.trim() ?? '') || /^\d+(\.\d+)?px$/.test(inline.get('width') ?? '');
  return pixelWidth ? null : 'no fixed pixel width';
}

function bodyEnd(doc: ScannedDocument): number {
  const body = doc.elements.find((element) => element.name === 'body');
  const last = body?.children[body.children.length - 1];
  return last?.offset ?? body?.offset ?? 0;
}

/** An image is linked by an enclosing <a> to its block's click URL, or by an image map with one area per card. */
function checkImageLinks(
  image: HtmlElement,
  blockId: string,
  doc: ScannedDocument,
  reporter: Reporter,
  options: CheckOptions,
  linked: Set<HtmlElement>,
): void {
  const slots = slotCount(options.blocks.get(blockId));
  const checkClick = (element: HtmlElement): number | null => {
    linked.add(element);
    const href = attribute(element, 'href');
    const url = href ? parseOpentimeUrl(href.value) : null;
    if (!href || !url || url.kind !== 'click' || url.blockId !== blockId) {
      reporter.at(
        href?.valueOffset ?? element.offset,
        'error',
        'html-link',
        `The image of block "${blockId}" must link through the click URL ${PLACEHOLDERS.baseUrl}/c/v1/blocks/${blockId}/<slot>?t=${PLACEHOLDERS.token}, so a click lands on what the image showed.`,
        SPEC.writing,
      );
      return null;
    }
    checkClickUrl(url, href.valueOffset, href.valueOffset, slots, reporter, options);
    return url.slot;
  };

  const usemap = attribute(image, 'usemap');
  if (usemap) {
    const name = usemap.value.replace(/^#/, '');
    const map = doc.elements.find((element) => element.name === 'map' && (attribute(element, 'name')?.value === name || attribute(element, 'id')?.value === name));
    if (!map) {
      reporter.at(usemap.valueOffset, 'error', 'html-link', `usemap="${usemap.value}" names no <map name="${name}"> in this part.`, SPEC.writing);
      return;
    }
    const seen = new Set<number>();
    for (const area of collect(map, 'area')) {
      const slot = checkClick(area);
      if (slot !== null) seen.add(slot);
    }
    const missing = Array.from({ length: slots }, (_, slot) => slot).filter((slot) => !seen.has(slot));
    if (missing.length) {
      reporter.at(map.offset, 'error', 'html-link', `The image map of block "${blockId}" has no area for slot${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: each card needs its own link.`, SPEC.writing);
    }
    const anchor = closest(image, 'a');
    if (anchor) checkClick(anchor);
    return;
  }
  const anchor = closest(image, 'a');
  if (!anchor) {
    reporter.at(image.offset, 'error', 'html-link', `The image of block "${blockId}" is not linked: wrap it in <a href="${PLACEHOLDERS.baseUrl}/c/v1/blocks/${blockId}/0?t=${PLACEHOLDERS.token}">.`, SPEC.writing);
    return;
  }
  checkClick(anchor);
}

/**
 * A part of a picture: the header may link anywhere (or nowhere); card part N
 * must be wrapped in a link to the same block's click URL for slot N, so the
 * card and its link cannot drift apart.
 */
function checkPartLink(
  image: HtmlElement,
  blockId: string,
  part: ImagePart,
  reporter: Reporter,
  options: CheckOptions,
  linked: Set<HtmlElement>,
  partsShown: Map<string, { offset: number; slots: Set<number> }>,
): void {
  let shown = partsShown.get(blockId);
  if (!shown) partsShown.set(blockId, (shown = { offset: image.offset, slots: new Set() }));
  if (part === 'header') return;
  const slots = slotCount(options.blocks.get(blockId));
  const anchor = closest(image, 'a');
  const href = anchor ? attribute(anchor, 'href') : undefined;
  const url = href ? parseOpentimeUrl(href.value) : null;
  if (anchor) linked.add(anchor);
  if (!url || url.kind !== 'click' || url.blockId !== blockId || url.slot !== part) {
    reporter.at(
      href?.valueOffset ?? image.offset,
      'error',
      'html-link',
      `The card part slot=${part} of block "${blockId}" must be wrapped in <a href="${PLACEHOLDERS.baseUrl}/c/v1/blocks/${blockId}/${part}?t=${PLACEHOLDERS.token}">, its own slot's click URL.`,
      SPEC.writing,
    );
    return;
  }
  if (checkClickUrl(url, (href as { valueOffset: number }).valueOffset, image.offset, slots, reporter, options)) shown.slots.add(part);
}

/** A click URL of the image's block: its token and base checked, and its slot within the block's (reported at `rangeOffset`); false when out of range. */
function checkClickUrl(
  url: Extract<OpentimeUrl, { kind: 'click' }>,
  hrefOffset: number,
  rangeOffset: number,
  slots: number,
  reporter: Reporter,
  options: CheckOptions,
): boolean {
  checkOpentimeUrl(url, hrefOffset, reporter, options, 'Click URL');
  if (url.slot < slots) return true;
  reporter.at(rangeOffset, 'error', 'html-link', `Slot ${url.slot} is out of range for block "${url.blockId}": expected 0${slots > 1 ? `..${slots - 1}` : ''}.`, SPEC.writing);
  return false;
}

function collect(element: HtmlElement, name: string): HtmlElement[] {
  const found: HtmlElement[] = [];
  const walk = (node: HtmlElement): void => {
    for (const child of node.children) {
      if (child.name === name) found.push(child);
      walk(child);
    }
  };
  walk(element);
  return found;
}

/** The plain-text part: its Opentime links carry the token and name real blocks. */
function checkTextPart(sources: TemplateSources, text: string, options: CheckOptions, findings: Finding[]): void {
  const filled = substituted(text);
  const reporter = new Reporter(sources.textFile, positionFinder(filled));
  reportUnknownPlaceholders(text, reporter);
  const formProblems: FormProblem[] = [];
  for (const match of filled.matchAll(/https?:\/\/[^\s<>"')\]]+/g)) {
    const url = parseOpentimeUrl(match[0]);
    if (url) checkOpentimeUrl(url, match.index ?? 0, reporter, options, 'Link');
    checkFormLink(match[0], match.index ?? 0, options.forms ?? NO_FORMS, formProblems);
  }
  for (const problem of formProblems) reporter.at(problem.offset, problem.severity, problem.rule, problem.message, SPEC.forms);
  findings.push(...reporter.findings);
}

/** Runs every Opentime check on one template; the AMP engine runs separately (validate.ts). */
export function checkTemplate(sources: TemplateSources, options: CheckOptions): Finding[] {
  const findings: Finding[] = [];
  const polls = new Set<string>();
  const blocks = checkAmpPart(sources, options, findings, polls);
  if (sources.html === null) {
    findings.push({
      file: sources.ampFile,
      line: 1,
      col: 1,
      severity: 'error',
      message: `No HTML part: expected ${sources.htmlFile} with one linked image per AMP block, for clients without AMP.`,
      specUrl: SPEC.writing,
      rule: 'html-part',
    });
  } else {
    checkHtmlPart(sources, sources.html, blocks, options, findings);
    checkHtmlFormLinks(sources, sources.html, polls, options, findings);
  }
  if (sources.text === null) {
    findings.push({
      file: sources.ampFile,
      line: 1,
      col: 1,
      severity: 'warning',
      message: `No plain-text part: expected ${sources.textFile}; \`opentime email\` needs it.`,
      specUrl: SPEC.writing,
      rule: 'text-part',
    });
  } else {
    checkTextPart(sources, sources.text, options, findings);
  }
  return findings;
}

/** Link votes of the HTML part name configured answers, and every poll of the AMP part has its link version. */
function checkHtmlFormLinks(sources: TemplateSources, html: string, ampPolls: ReadonlySet<string>, options: CheckOptions, findings: Finding[]): void {
  const doc = scanHtml(substituted(html));
  const reporter = new Reporter(sources.htmlFile, doc.position);
  const problems: FormProblem[] = [];
  const linked = new Set<string>();
  for (const element of doc.elements) {
    const href = element.name === 'a' ? attribute(element, 'href') : undefined;
    const poll = href ? checkFormLink(href.value, href.valueOffset, options.forms ?? NO_FORMS, problems) : undefined;
    if (poll) linked.add(poll);
  }
  for (const problem of problems) reporter.at(problem.offset, problem.severity, problem.rule, problem.message, SPEC.forms);
  for (const poll of ampPolls) {
    if (!linked.has(poll)) {
      reporter.at(0, 'warning', 'form-link-version', `The AMP part has poll "${poll}" but the HTML part has no link vote for it: add one link per answer, ${PLACEHOLDERS.baseUrl}/c/v1/forms/${poll}/<answer>?t=${PLACEHOLDERS.token}.`, SPEC.forms);
    }
  }
  findings.push(...reporter.findings);
}

/** The AMP part with dummy values in place of the placeholders, as the official engine sees it. */
export function ampForEngine(amp: string): string {
  return substituted(amp);
}
