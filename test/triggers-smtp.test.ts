import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { seedDemoDataIfEmpty } from '../src/data/seed';
import { SmtpTransport } from '../src/delivery/smtp-transport';
import { createLogger } from '../src/log';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage';
import { parseTriggersConfig } from '../src/triggers/trigger-config';
import { TriggerIntake } from '../src/triggers/trigger-intake';
import { TriggerWorker } from '../src/triggers/trigger-worker';
import { loadEngine } from '../src/validate/engine';
import { AUDIENCE, SENDER, testKeyring } from './helpers/app-fixture';

interface Received {
  from: string;
  to: string[];
  raw: Buffer;
}

/** A real SMTP server (npm smtp-server) on loopback that keeps every message it accepts. */
async function startSink(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((address) => address.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('a triggered cart reminder reaches an SMTP server as a complete email whose AMP part passes the official validator', async () => {
  const sink = await startSink();
  const storage = openSqliteStorage(':memory:');
  const start = Date.parse('2026-11-22T10:00:00Z');
  const clock = { now: start };
  await seedDemoDataIfEmpty(storage, { baseUrl: 'https://opentime.test', now: new Date(start) });
  const catalog = parseTriggersConfig(
    [
      'delivery:',
      '  recipient: "{subscriberId}@shop.example"',
      'triggers:',
      '  - id: cart-abandonment',
      '    when: added_to_cart',
      '    cancelWhen: [purchased]',
      '    delay: 30m',
      '    campaign: flash-sale',
      '    template: flash-sale',
    ].join('\n'),
    'test-triggers.yaml',
  );
  const transport = new SmtpTransport(sink.url);
  try {
    const intake = new TriggerIntake(storage.triggerJobs, catalog, storage, () => clock.now);
    await intake.eventsAccepted([{ id: 'e1', type: 'added_to_cart', subscriberId: 'sub-emma', productId: 'peacoat-navy', occurredAt: new Date(start).toISOString() }]);
    const worker = new TriggerWorker({
      jobs: storage.triggerJobs,
      catalogue: storage.catalogue,
      catalog,
      transport,
      keyring: testKeyring,
      tokenAudience: AUDIENCE,
      publicUrl: 'https://opentime.example',
      globalSenders: [SENDER],
      logger: createLogger('silent'),
      clock: () => clock.now,
    });
    clock.now = start + 30 * 60_000;
    expect(await worker.runOnce()).toBe(1);

    expect(sink.received).toHaveLength(1);
    const [mail] = sink.received;
    expect(mail!.to).toEqual(['sub-emma@shop.example']);
    const parsed = await simpleParser(mail!.raw);
    expect(parsed.headers.get('x-opentime-idempotency-key')).toBe('cart-abandonment:e1');
    expect(parsed.messageId).toMatch(/@/);
    expect(parsed.subject).toBe('The Flash Sale: up to 40% off, 72 hours only');
    const amp = parsed.attachments.find((attachment) => attachment.contentType === 'text/x-amp-html')?.content.toString('utf8');
    expect(amp).toContain('https://opentime.example/amp/v1/blocks/');
    const engine = await loadEngine('pinned');
    expect(engine.validateAmp4Email(amp!)).toEqual([]);
    expect(await storage.triggerJobs.get('cart-abandonment:e1')).toMatchObject({ state: 'sent', outcome: expect.stringMatching(/^250 /) });
  } finally {
    transport.close();
    await storage.close();
    await sink.close();
  }
}, 60_000);
