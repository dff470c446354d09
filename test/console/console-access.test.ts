import request from 'supertest';
import { CONSOLE_ORIGIN as ORIGIN, createConsoleApp, type ConsoleApp } from '../helpers/console-app';

/** The session cookie of a sign-in with `key`, as the browser would store it. */
async function signIn(fixture: ConsoleApp, key: string) {
  return request(fixture.app).post('/console/sign-in').set('Origin', ORIGIN).type('form').send({ key, next: '/console/campaigns' });
}

describe('console access', () => {
  let fixture: ConsoleApp;
  beforeAll(async () => {
    fixture = await createConsoleApp();
  });
  afterAll(() => fixture.close());

  test('a signed-out visitor is sent to the sign-in page, which asks for a key', async () => {
    const page = await request(fixture.app).get('/console/campaigns');
    expect([page.status, page.headers.location]).toEqual([303, '/console/sign-in?next=%2Fconsole%2Fcampaigns']);
    const signInPage = await request(fixture.app).get(page.headers.location as string);
    expect(signInPage.status).toBe(200);
    expect(signInPage.text).toContain('name="key"');
    expect(signInPage.text).toContain('value="/console/campaigns"');
  });

  test('a console key gets a signed HttpOnly, SameSite=Strict, Secure session cookie on /console for 12 hours, never the key itself', async () => {
    const answer = await signIn(fixture, fixture.keys.console);
    expect([answer.status, answer.headers.location]).toEqual([303, '/console/campaigns']);
    const cookie = String(answer.headers['set-cookie']);
    expect(cookie).toMatch(/^opentime_console=[^;]+; Max-Age=43200; Path=\/console; Expires=[^;]+; HttpOnly; Secure; SameSite=Strict$/);
    expect(cookie).not.toContain(fixture.keys.console);
    const page = await request(fixture.app).get('/console/campaigns').set('Cookie', cookie.split(';')[0] as string);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Key <strong>ops</strong>');
    expect(page.text).toContain('Flash Sale');
  });

  test('a key without the console scope, or not configured, is refused with the reason', async () => {
    const withoutScope = await signIn(fixture, fixture.keys.reportsOnly);
    expect(withoutScope.status).toBe(403);
    expect(withoutScope.text).toContain('The key &#34;analyst&#34; lacks the console scope');
    expect(withoutScope.headers['set-cookie']).toBeUndefined();
    const unknown = await signIn(fixture, 'otk_not-a-key');
    expect(unknown.status).toBe(401);
    expect(unknown.text).toContain('not one of the configured API keys');
  });

  test('a forged or expired session, or one whose key was removed, lets nobody in', async () => {
    const cookie = (String((await signIn(fixture, fixture.keys.console)).headers['set-cookie']).split(';')[0]) as string;
    const [name, value] = cookie.split('=') as [string, string];
    const [payload] = value.split('.');
    const forged = `${name}=${payload}.AAAA`;
    expect((await request(fixture.app).get('/console/campaigns').set('Cookie', forged)).status).toBe(303);
    expect((await request(fixture.withoutConsoleKey()).get('/console/campaigns').set('Cookie', cookie)).status).toBe(303);
    const later = fixture.clock.now;
    fixture.clock.now = new Date(later.getTime() + 12 * 3600_000 + 1000);
    try {
      expect((await request(fixture.app).get('/console/campaigns').set('Cookie', cookie)).status).toBe(303);
    } finally {
      fixture.clock.now = later;
    }
  });

  test('a POST from another origin (or without Origin) is refused: CSRF', async () => {
    const cookie = (String((await signIn(fixture, fixture.keys.console)).headers['set-cookie']).split(';')[0]) as string;
    const crossSite = await request(fixture.app).post('/console/sign-out').set('Cookie', cookie).set('Origin', 'https://evil.example');
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).toContain('forbidden_origin');
    const noOrigin = await request(fixture.app).post('/console/sign-in').type('form').send({ key: fixture.keys.console });
    expect(noOrigin.status).toBe(403);
  });

  test('sign-out clears the cookie', async () => {
    const answer = await request(fixture.app).post('/console/sign-out').set('Origin', ORIGIN);
    expect([answer.status, answer.headers.location]).toEqual([303, '/console/sign-in']);
    expect(String(answer.headers['set-cookie'])).toMatch(/^opentime_console=; Path=\/console; Expires=Thu, 01 Jan 1970/);
  });

  test('the stylesheet and script are served under a content hash, cached as immutable', async () => {
    const page = await request(fixture.app).get('/console/sign-in');
    const stylesheet = /href="(\/console\/assets\/console\.[0-9a-f]{10}\.css)"/.exec(page.text)?.[1];
    const script = /src="(\/console\/assets\/console\.[0-9a-f]{10}\.js)"/.exec(page.text)?.[1];
    expect(stylesheet && script).toBeTruthy();
    const css = await request(fixture.app).get(stylesheet as string);
    expect([css.status, css.headers['content-type'], css.headers['cache-control']]).toEqual([200, 'text/css; charset=utf-8', 'public, max-age=31536000, immutable']);
    expect((await request(fixture.app).get(script as string)).headers['content-type']).toBe('text/javascript; charset=utf-8');
  });
});

describe('console in demo mode', () => {
  test('a loopback request is let in without signing in, and the header says so; a forwarded one is not', async () => {
    const fixture = await createConsoleApp({ demo: true, publicUrl: 'http://localhost:8080' });
    try {
      const page = await request(fixture.app).get('/console/campaigns');
      expect(page.status).toBe(200);
      expect(page.text).toContain('Demo mode · open on loopback');
      const forwarded = await request(fixture.app).get('/console/campaigns').set('X-Forwarded-For', '203.0.113.9');
      expect(forwarded.status).toBe(303);
    } finally {
      await fixture.close();
    }
  });
});
