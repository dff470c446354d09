import { verifyWebhookSignature } from '../src/api/webhook-signature';
import { WebhookTransport } from '../src/delivery/webhook-transport';

const SECRET = 'a-secret-of-32-characters-or-so!';

function recordingFetch(status: number) {
  const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
  const fake = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), headers: init?.headers as Record<string, string>, body: String(init?.body) });
    return new Response('{}', { status });
  }) as typeof fetch;
  return { calls, fake };
}

const message = {
  idempotencyKey: 'cart-abandonment:evt-1',
  from: 'news@shop.example',
  to: 'emma@example.com',
  triggerId: 'cart-abandonment',
  subscriberId: 'sub-emma',
  campaignId: 'flash-sale',
  message: Buffer.from('Subject: hello\r\n\r\nbody'),
};

describe('the ESP webhook transport', () => {
  test('POSTs the message signed as incoming webhooks are, with the idempotency key in the body and a header', async () => {
    const { calls, fake } = recordingFetch(202);
    const at = Date.parse('2026-11-22T10:00:00Z');
    const transport = new WebhookTransport('https://esp.example/send', SECRET, { fetch: fake, clock: () => at });
    expect(await transport.send(message)).toBe('HTTP 202');
    const [call] = calls;
    expect(call!.url).toBe('https://esp.example/send');
    expect(call!.headers['Idempotency-Key']).toBe('cart-abandonment:evt-1');
    expect(JSON.parse(call!.body)).toEqual({
      id: 'cart-abandonment:evt-1',
      type: 'triggered_message',
      trigger: 'cart-abandonment',
      campaignId: 'flash-sale',
      subscriberId: 'sub-emma',
      from: 'news@shop.example',
      to: 'emma@example.com',
      message: 'Subject: hello\r\n\r\nbody',
    });
    // The receiver checks it with the same scheme as our own ingestion API; another secret fails.
    expect(() => verifyWebhookSignature(SECRET, call!.headers['Opentime-Signature'], Buffer.from(call!.body), new Date(at))).not.toThrow();
    expect(() => verifyWebhookSignature(`${SECRET}x`, call!.headers['Opentime-Signature'], Buffer.from(call!.body), new Date(at))).toThrow('does not match');
  });

  test('anything but a 2xx is a failed attempt (retried by the worker)', async () => {
    const { fake } = recordingFetch(503);
    await expect(new WebhookTransport('https://esp.example/send', SECRET, { fetch: fake }).send(message)).rejects.toThrow('HTTP 503 from the triggers webhook');
  });
});
