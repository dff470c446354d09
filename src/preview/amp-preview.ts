import Mustache from 'mustache';
import type { AmpListPayload } from '../kinds/kind';
import { decodeEntities } from '../validate/html-scan';

/**
 * The AMP part as a plain page: each amp-list replaced by its amp-mustache
 * template filled from the JSON its block answers, the way amp-list does it
 * (https://amp.dev/documentation/components/amp-list: the template once per
 * element of `items`, or once for the whole answer with `single-item`). The
 * `mustache` package implements the language amp-mustache uses. This is a
 * preview of the data in the template's markup, not Gmail's renderer: no
 * AMP runtime runs, so no amp-bind, no layout system, no sanitizer; the
 * console shows it in a sandboxed iframe without scripts (README "Preview").
 */

/** The JSON an amp-list's `src` answers, or null when the URL is not one of this server's blocks. */
export type PayloadOf = (src: string) => AmpListPayload | null;

const AMP_LIST = /<amp-list\b([^>]*)>([\s\S]*?)<\/amp-list\s*>/gi;
const MUSTACHE_TEMPLATE = /<template\b([^>]*)>([\s\S]*?)<\/template\s*>|<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

export function renderAmpPreview(amp: string, payloadOf: PayloadOf): string {
  const filled = amp.replace(AMP_LIST, (_whole, attributeText: string, inner: string) => renderAmpList(attributesOf(attributeText), inner, payloadOf));
  return withoutAmpRuntime(filled);
}

function renderAmpList(attributes: Map<string, string>, inner: string, payloadOf: PayloadOf): string {
  const src = attributes.get('src') ?? '';
  const className = attributes.get('class');
  const open = `<div${className ? ` class="${escapeAttribute(className)}"` : ''} data-amp-list-src="${escapeAttribute(src)}">`;
  const template = mustacheTemplateOf(inner);
  const payload = payloadOf(src);
  if (template === null) return `${open}<p data-preview-note>amp-list without an amp-mustache template: nothing to fill.</p></div>`;
  if (payload === null) return `${open}<p data-preview-note>This amp-list reads another service (${escapeText(src)}); its data is not previewed.</p></div>`;
  const items = attributes.has('single-item') ? [itemsAt(payload, attributes.get('items'))] : listAt(payload, attributes.get('items'));
  return `${open}${items.map((item) => Mustache.render(template, item)).join('')}</div>`;
}

/** amp-list's `items` attribute: a dot path into the answer ("." the answer itself), default "items". */
function itemsAt(payload: unknown, path: string | undefined): unknown {
  const steps = path === undefined || path === '' ? ['items'] : path === '.' ? [] : path.split('.');
  let value: unknown = payload;
  for (const step of steps) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
  return value;
}

function listAt(payload: unknown, path: string | undefined): unknown[] {
  const value = itemsAt(payload, path);
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

/** The amp-mustache template of an amp-list: `<template type="amp-mustache">` or `<script type="text/plain" template="amp-mustache">`. */
function mustacheTemplateOf(inner: string): string | null {
  for (const match of inner.matchAll(MUSTACHE_TEMPLATE)) {
    const attributes = attributesOf(match[1] ?? match[3] ?? '');
    if (attributes.get('type') === 'amp-mustache' || attributes.get('template') === 'amp-mustache') return match[2] ?? match[4] ?? '';
  }
  return null;
}

function attributesOf(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of text.matchAll(ATTRIBUTE)) {
    const name = (match[1] as string).toLowerCase();
    if (!attributes.has(name)) attributes.set(name, decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return attributes;
}

/**
 * Without the AMP runtime: scripts dropped (none would run in the sandbox
 * anyway), the boilerplate style that hides the body until the runtime has
 * laid it out dropped, amp-img drawn as an img of its declared width, an
 * amp-anim shown as its placeholder (the JSON's figures at the previewed
 * moment; the GIF would tick at the real one) with its fallback hidden, as
 * the runtime hides it while nothing failed, and links opened in a new
 * window rather than inside the frame.
 */
function withoutAmpRuntime(html: string): string {
  return linksInNewWindow(html)
    .replace(/<script\b[^>]*>[\s\S]*?<\/script\s*>/gi, '')
    .replace(/<style\b[^>]*\bamp4email-boilerplate\b[^>]*>[\s\S]*?<\/style\s*>/gi, '')
    .replace(/<\/head\s*>/i, '<style>amp-anim{display:block}amp-anim>[fallback]{display:none}</style></head>')
    .replace(/<amp-img\b([^>]*)>/gi, (_whole, attributes: string) => `<img${attributes} style="display:block;max-width:100%;height:auto">`)
    .replace(/<\/amp-img\s*>/gi, '');
}

/** Links of a message shown in a frame open in a new window (the frame may not navigate). */
export function linksInNewWindow(html: string): string {
  return html.replace(/<a\b(?![^>]*\btarget=)/gi, '<a target="_blank" rel="noopener noreferrer"');
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
