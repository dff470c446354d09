import type { Router } from 'express';
import type { ConsoleContext } from './console-context';
import { blocksPage } from './blocks/blocks-page';
import { campaignsPage } from './campaigns/campaigns-page';
import { reportsPage } from './reports/reports-page';
import { sendTestPage } from './send-test/send-test-page';
import { timelinePage } from './timeline/timeline-page';
import { previewPage } from './preview/preview-page';

/** The console's nav, in order. An entry's page answers /console/<id>; an entry whose page is not registered yet answers the console's 404. */
export const consoleNav = [
  { id: 'campaigns', label: 'Campaigns' },
  { id: 'blocks', label: 'Blocks' },
  { id: 'preview', label: 'Preview' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'reports', label: 'Reports' },
  { id: 'send-test', label: 'Send test' },
] as const;
export type NavId = (typeof consoleNav)[number]['id'];

/**
 * One console page: a file that adds its routes, registered by one line in
 * `consolePages` below. Adding a page, e.g. the preview:
 *
 * 1. src/console/preview/preview-page.ts exports
 *    `export const previewPage: ConsolePage = { id: 'preview', routes(router, context) { router.get('/preview', handler); } };`
 *    where the handler calls the same service function as its API endpoint
 *    (never HTTP to this server) and answers with
 *    `sendPage(req, res, { nav: 'preview', title: 'Preview', view: 'preview/views/preview', data })`
 *    (console/page-render.ts; its template is src/console/preview/views/preview.mustache).
 * 2. `previewPage` is added to `consolePages`. The nav entry already exists.
 *
 * Routes are relative to /console and run after the access check
 * (console-access.ts: a session, or loopback in demo mode): `res.locals.consoleAccess`
 * says who. POST routes get urlencoded bodies already parsed and the Origin
 * already checked (CSRF). Throw an HttpError for a 4xx: the console answers
 * it as a page with the message. Filters are GET forms so URLs can be shared.
 */
export interface ConsolePage {
  /** The nav entry it serves. */
  id: NavId;
  routes(router: Router, context: ConsoleContext): void;
}

export const consolePages: readonly ConsolePage[] = [campaignsPage, blocksPage, previewPage, timelinePage, reportsPage, sendTestPage];
