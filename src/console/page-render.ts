import type { Request, Response } from 'express';
import { assetUrl } from './assets';
import type { ConsoleAccess } from './console-access';
import { consoleNav, type NavId } from './pages';
import { renderTemplate } from './views';

export interface PageContent {
  /** The nav entry to mark as current; absent for the sign-in and error pages. */
  nav?: NavId;
  /** The document title and the page's heading. */
  title: string;
  /** The body's template under src/console/ without ".mustache" ("views/campaigns", "preview/views/preview"). */
  view: string;
  data?: object;
  partials?: Record<string, string>;
  status?: number;
}

/**
 * Renders a page's template inside the layout (header, nav, who is signed
 * in, the demo notice) and sends it. Console HTML is personal and live:
 * never stored by a cache.
 */
export function sendPage(req: Request, res: Response, content: PageContent): void {
  const access = res.locals.consoleAccess as ConsoleAccess | undefined;
  const body = renderTemplate(content.view, { ...content.data, title: content.title }, content.partials);
  const html = renderTemplate('views/layout', {
    title: content.title,
    body,
    stylesheet: assetUrl('console.css'),
    script: assetUrl('console.js'),
    nav: access ? consoleNav.map((entry) => ({ ...entry, href: `/console/${entry.id}`, current: entry.id === content.nav })) : [],
    signedInAs: access?.signedInAs,
    demoOpen: access?.demoOpen === true,
    path: req.originalUrl,
  });
  res.status(content.status ?? 200);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'private, no-store');
  res.end(html);
}
