import request from 'supertest';
import { createConsoleApp, type ConsoleApp } from '../helpers/console-app';

describe('GET /api/v1/subscribers?q= (the console subscriber picker)', () => {
  let fixture: ConsoleApp;
  beforeAll(async () => {
    fixture = await createConsoleApp();
  });
  afterAll(() => fixture.close());

  test('a console key finds demo subscribers by name part or id prefix', async () => {
    const byName = await request(fixture.app).get('/api/v1/subscribers?q=emm').set('Authorization', `Bearer ${fixture.keys.console}`);
    expect(byName.status).toBe(200);
    expect(byName.body.subscribers).toEqual([expect.objectContaining({ firstName: 'Emma', timeZone: expect.any(String), locale: expect.any(String) })]);
    const id = byName.body.subscribers[0].id as string;
    const byId = await request(fixture.app).get(`/api/v1/subscribers?q=${encodeURIComponent(id.slice(0, 3))}`).set('Authorization', `Bearer ${fixture.keys.console}`);
    expect(byId.body.subscribers.map((s: { id: string }) => s.id)).toContain(id);
  });

  test("the preview page's suggestions answer the same search with the console's cookie, and nothing without it", async () => {
    const cookie = await fixture.sessionCookie();
    const suggestions = await request(fixture.app).get('/console/preview/subscribers?q=emm').set('Cookie', cookie);
    expect(suggestions.status).toBe(200);
    expect(suggestions.body.subscribers).toEqual([expect.objectContaining({ firstName: 'Emma' })]);
    const missing = await request(fixture.app).get('/console/preview/subscribers').set('Cookie', cookie);
    expect([missing.status, missing.body.error.code]).toEqual([400, 'bad_request']);
    const signedOut = await request(fixture.app).get('/console/preview/subscribers?q=emm');
    expect(signedOut.status).toBe(303);
  });

  test('no q is a 400 saying what is expected; a key with neither scope is a 403', async () => {
    const missing = await request(fixture.app).get('/api/v1/subscribers').set('Authorization', `Bearer ${fixture.keys.console}`);
    expect([missing.status, missing.body.error.code]).toEqual([400, 'bad_request']);
    expect(missing.body.error.detail).toContain('Expected the query parameter q');
    const wrongScope = await request(fixture.app).get('/api/v1/subscribers?q=em').set('Authorization', `Bearer ${fixture.keys.reportsOnly}`);
    expect([wrongScope.status, wrongScope.body.error.detail]).toEqual([403, 'The key "analyst" lacks the scope subscribers:read or console.']);
  });
});
