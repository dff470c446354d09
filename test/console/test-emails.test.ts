import request from 'supertest';
import { simpleParser } from 'mailparser';
import { CONSOLE_ORIGIN as ORIGIN, createConsoleApp, type ConsoleApp } from '../helpers/console-app';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

describe('test emails: POST /api/v1/campaigns/:campaignId/test-emails and the Send test page', () => {
  let smtp: SmtpSink;
  let fixture: ConsoleApp;
  let withoutSmtp: ConsoleApp;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    fixture = await createConsoleApp({ smtpUrl: smtp.url, senders: ['news@shop.example'] });
    withoutSmtp = await createConsoleApp();
  });
  afterAll(async () => {
    await Promise.all([fixture.close(), withoutSmtp.close(), smtp.close()]);
  });

  test('without "to": the .eml as a download, three parts, every Opentime URL with the subscriber token', async () => {
    const answer = await request(fixture.app)
      .post('/api/v1/campaigns/flash-sale/test-emails')
      .set('Authorization', `Bearer ${fixture.keys.console}`)
      .send({ subscriberId: 'sub-emma' })
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('message/rfc822');
    expect(answer.headers['content-disposition']).toBe('attachment; filename="flash-sale-sub-emma.eml"');
    const mail = await simpleParser(answer.body as Buffer);
    expect(mail.subject).toMatch(/^\[Test\] /);
    expect(mail.from?.text).toBe('news@shop.example');
    expect(mail.html).toContain(`${ORIGIN}/`);
    expect(String(mail.html)).toMatch(/[?&]t=ey/);
  });

  test('with "to": sent over the configured SMTP server; the answer says so', async () => {
    const answer = await request(fixture.app).post('/api/v1/campaigns/flash-sale/test-emails').set('Authorization', `Bearer ${fixture.keys.console}`).send({ subscriberId: 'sub-emma', to: 'qa@shop.example' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sent: true, to: 'qa@shop.example', from: 'news@shop.example', template: 'flash-sale', smtpResponse: '250 OK queued' });
    const mail = smtp.received.at(-1);
    expect(mail?.to).toEqual([expect.stringContaining('<qa@shop.example>')]);
    expect(mail?.data).toContain('text/x-amp-html');
  });

  test('without SMTP configured, a send is refused clearly; bad input names the field', async () => {
    const refused = await request(withoutSmtp.app).post('/api/v1/campaigns/flash-sale/test-emails').set('Authorization', `Bearer ${withoutSmtp.keys.console}`).send({ subscriberId: 'sub-emma', to: 'qa@shop.example' });
    expect([refused.status, refused.body.error.code]).toEqual([400, 'smtp_not_configured']);
    const badTo = await request(fixture.app).post('/api/v1/campaigns/flash-sale/test-emails').set('Authorization', `Bearer ${fixture.keys.console}`).send({ subscriberId: 'sub-emma', to: 'not-an-address' });
    expect(badTo.status).toBe(400);
    expect(badTo.body.error.errors).toEqual([{ index: -1, path: 'to', message: 'expected an email address, e.g. you@shop.example' }]);
    const unknown = await request(fixture.app).post('/api/v1/campaigns/flash-sale/test-emails').set('Authorization', `Bearer ${fixture.keys.console}`).send({ subscriberId: 'nobody' });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'subscriber_not_found']);
  });

  test('an SMTP server that cannot be reached is a 424 smtp_send_failed saying what happened', async () => {
    const closed = await startSmtpSink();
    await closed.close();
    const unreachable = await createConsoleApp({ smtpUrl: closed.url });
    try {
      const answer = await request(unreachable.app).post('/api/v1/campaigns/flash-sale/test-emails').set('Authorization', `Bearer ${unreachable.keys.console}`).send({ subscriberId: 'sub-emma', to: 'qa@shop.example' });
      expect([answer.status, answer.body.error.code]).toEqual([424, 'smtp_send_failed']);
      expect(answer.body.error.detail).toMatch(/^The SMTP server answered: .*ECONNREFUSED/);
    } finally {
      await unreachable.close();
    }
  });

  test('the page sends over SMTP and says what the server answered; the download button answers the .eml', async () => {
    const cookie = await fixture.sessionCookie();
    const sent = await request(fixture.app)
      .post('/console/send-test')
      .set('Cookie', cookie)
      .set('Origin', ORIGIN)
      .type('form')
      .send({ campaign: 'flash-sale', subscriber: 'sub-emma', template: 'flash-sale', to: 'qa@shop.example', action: 'send' });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('Sent to qa@shop.example from news@shop.example (template flash-sale');
    const download = await request(fixture.app)
      .post('/console/send-test')
      .set('Cookie', cookie)
      .set('Origin', ORIGIN)
      .type('form')
      .send({ campaign: 'flash-sale', subscriber: 'sub-emma', template: 'flash-sale', action: 'download' });
    expect(download.headers['content-type']).toBe('message/rfc822');
    const page = await request(withoutSmtp.app).get('/console/send-test').set('Cookie', await withoutSmtp.sessionCookie());
    expect(page.text).toContain('Sending needs <code>OPENTIME_SMTP_URL</code>');
  });
});
