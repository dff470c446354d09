import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { verifyWebhookSignature } from '../../src/api/webhook-signature';
import { WebhookDelivery } from '../../src/forms/webhook-delivery';
import { createLogger } from '../../src/log';
import { openSqliteStorage, type SqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import { product } from '../storage/contract';

const SECRET = 'a-secret-of-more-than-16-chars';
const T0 = Date.parse('2026-11-22T10:00:00.000Z');

/** A loopback receiver that fails the first `failures` deliveries with 503, then answers 204. */
function fakeReceiver(failures: number) {
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let failuresLeft = failures;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = failuresLeft-- > 0 ? 503 : 204;
      res.end();
    });
  });
  return {
    received,
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/opentime`))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('notify-me webhook out', () => {
  let storage: SqliteStorage;
  beforeEach(() => {
    storage = openSqliteStorage(':memory:');
  });
  afterEach(() => storage.close());

  it('a product going from 0 to in stock emits one signed webhook per waiting reader, retried after a failure, delivered once', async () => {
    const receiver = fakeReceiver(1);
    const url = await receiver.listen();
    const clock = { now: T0 };
    const delivery = new WebhookDelivery({
      outbox: storage.webhookOutbox,
      url,
      secret: SECRET,
      clock: () => clock.now,
      logger: createLogger('silent', new Writable({ write: (_c, _e, callback) => callback() })),
      backoffMs: () => 10_000,
    });
    try {
      await storage.ingestion.upsertProducts([product('parka', { stock: 0 }), product('boots', { stock: 3 })]);
      await storage.notifyRequests.request({ subscriberId: 'sub-emma', productId: 'parka', campaignId: 'flash-sale', requestedAt: T0 - 1000 });
      // Stock staying 0, and another product's stock changing, announce nothing.
      await storage.ingestion.applyProductPatches([{ id: 'parka', stock: 0 }, { id: 'boots', stock: 1 }], { now: new Date(T0), onIncomplete: 'abort' });
      expect(await delivery.runOnce()).toBe(0);
      expect(receiver.received).toHaveLength(0);

      await storage.ingestion.applyProductPatches([{ id: 'parka', stock: 5 }], { now: new Date(T0), onIncomplete: 'abort' });
      await storage.ingestion.applyProductPatches([{ id: 'parka', stock: 8 }], { now: new Date(T0), onIncomplete: 'abort' });
      expect(await delivery.runOnce()).toBe(0); // the receiver answers 503 the first time
      expect(receiver.received).toHaveLength(1);
      clock.now = T0 + 9_999;
      expect(await delivery.runOnce()).toBe(0); // not due yet: no second request
      expect(receiver.received).toHaveLength(1);
      clock.now = T0 + 10_000;
      expect(await delivery.runOnce()).toBe(1);
      clock.now = T0 + 1_000_000;
      expect(await delivery.runOnce()).toBe(0);

      expect(receiver.received).toHaveLength(2);
      const [failed, delivered] = receiver.received as [(typeof receiver.received)[number], (typeof receiver.received)[number]];
      expect(delivered.body).toBe(failed.body);
      expect(delivered.headers['opentime-event']).toBe('product.back_in_stock');
      expect(delivered.headers['opentime-delivery']).toBe(`product.back_in_stock:parka:sub-emma:${T0 - 1000}`);
      expect(() => verifyWebhookSignature(SECRET, delivered.headers['opentime-signature'] as string, Buffer.from(delivered.body), new Date(T0 + 10_000))).not.toThrow();
      expect(JSON.parse(delivered.body)).toEqual({
        id: `product.back_in_stock:parka:sub-emma:${T0 - 1000}`,
        type: 'product.back_in_stock',
        occurredAt: new Date(T0).toISOString(),
        subscriberId: 'sub-emma',
        campaignId: 'flash-sale',
        requestedAt: new Date(T0 - 1000).toISOString(),
        product: { id: 'parka', name: 'Product parka', url: 'https://shop.example/products/parka', image: 'https://opentime.example/demo/products/parka.png', stock: 5, price: 100, salePrice: null, currency: 'EUR' },
      });
      expect(await storage.webhookOutbox.states(10)).toEqual([
        expect.objectContaining({ attempts: 2, deliveredAt: T0 + 10_000, gaveUpAt: null, lastError: null }),
      ]);
    } finally {
      await delivery.close();
      await receiver.close();
    }
  });

  it('gives a message up after maxAttempts, keeping the last error', async () => {
    const receiver = fakeReceiver(100);
    const url = await receiver.listen();
    const clock = { now: T0 };
    const delivery = new WebhookDelivery({ outbox: storage.webhookOutbox, url, secret: SECRET, clock: () => clock.now, logger: createLogger('silent'), backoffMs: () => 1, maxAttempts: 3 });
    try {
      await storage.ingestion.upsertProducts([product('parka', { stock: 0 })]);
      await storage.notifyRequests.request({ subscriberId: 's1', productId: 'parka', campaignId: 'c', requestedAt: T0 });
      await storage.ingestion.applyProductPatches([{ id: 'parka', stock: 1 }], { now: new Date(T0), onIncomplete: 'abort' });
      for (let i = 0; i < 5; i++) {
        await delivery.runOnce();
        clock.now += 1;
      }
      expect(receiver.received).toHaveLength(3);
      expect(await storage.webhookOutbox.states(10)).toEqual([expect.objectContaining({ attempts: 3, deliveredAt: null, gaveUpAt: T0 + 2, lastError: 'HTTP 503' })]);
    } finally {
      await delivery.close();
      await receiver.close();
    }
  });
});
