import fs from 'node:fs';
import path from 'node:path';
import Mustache from 'mustache';
import { packageRoot } from '../package-root';

/**
 * Console templates are mustache files under src/console/ (views/ for the
 * shell's and most pages', a page's own folder for others), found through
 * packageRoot() so they load the same from src/ (ts-jest) and dist/ (the
 * built server). Mustache escapes every `{{value}}`; only `{{{body}}}` in the
 * layout takes HTML, and that HTML is itself a rendered template.
 *
 * Each file is read once per process: templates ship with the code, and a
 * page render must not touch the disk.
 */
const cache = new Map<string, string>();

/** `name` is a path under src/console/ without ".mustache": "views/campaigns", "preview/views/preview". */
function consoleTemplate(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    if (!/^[a-z0-9/_-]+$/.test(name)) throw new Error(`Console template name "${name}" must be a path of lowercase letters, digits, "-", "_" and "/".`);
    text = fs.readFileSync(path.join(packageRoot(), 'src', 'console', `${name}.mustache`), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** Renders a template; `partials` are other template names, e.g. `{ table: 'views/partials/table' }`. */
export function renderTemplate(name: string, data: object, partials: Record<string, string> = {}): string {
  const loaded = Object.fromEntries(Object.entries(partials).map(([key, partial]) => [key, consoleTemplate(partial)]));
  return Mustache.render(consoleTemplate(name), data, loaded, { escape: escapeHtml });
}

/** Escapes what can end an element or a quoted attribute; unlike mustache's default it leaves "/" and "=" readable in URLs. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (char) => `&#${char.charCodeAt(0)};`);
}
