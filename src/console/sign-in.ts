import type { Request, Response, Router } from 'express';
import type { ConsoleContext } from './console-context';
import { sendPage } from './page-render';
import { createSession, SESSION_COOKIE, SESSION_TTL_MS } from './session';

/**
 * GET/POST /console/sign-in and POST /console/sign-out. Signing in takes an
 * API key with the `console` scope and answers a signed session cookie
 * (HttpOnly, SameSite=Strict, Path=/console, Secure behind https, 12 hours):
 * the key itself never goes back to the browser.
 */
export function signInRoutes(router: Router, context: ConsoleContext): void {
  const secure = context.settings.publicUrl.startsWith('https:');

  router.get('/sign-in', (req, res) => signInPage(req, res, context, {}));

  router.post('/sign-in', (req, res) => {
    const key = typeof req.body?.key === 'string' ? req.body.key.trim() : '';
    const record = key ? context.apiKeys.find(key) : undefined;
    if (!record) return signInPage(req, res, context, { error: key ? 'That is not one of the configured API keys.' : 'Paste an API key (otk_…).', status: 401 });
    if (!record.scopes.includes('console')) {
      return signInPage(req, res, context, { error: `The key "${record.name}" lacks the console scope. Create one with: opentime api-key create --name <name> --scopes console`, status: 403 });
    }
    res.cookie(SESSION_COOKIE, createSession(record, context.keyring, context.now()), {
      httpOnly: true,
      sameSite: 'strict',
      secure,
      path: '/console',
      maxAge: SESSION_TTL_MS,
    });
    res.redirect(303, safeNext(req.body?.next));
  });

  router.post('/sign-out', (_req, res) => {
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/console' });
    res.redirect(303, '/console/sign-in');
  });
}

function signInPage(req: Request, res: Response, context: ConsoleContext, options: { error?: string; status?: number }): void {
  sendPage(req, res, {
    title: 'Sign in',
    view: 'views/sign-in',
    data: { error: options.error, next: safeNext(req.body?.next ?? req.query.next), demo: context.settings.demo },
    status: options.status,
  });
}

/** Only a console path: a sign-in link must not send anyone to another site. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/console\/[^/\\]/.test(value) ? value : '/console/campaigns';
}
