import { signWebhookBody } from './webhook-signature';

export interface SignedWebhookPost {
  url: string;
  /** Signs the body as incoming webhooks are signed (api/webhook-signature.ts). */
  secret: string;
  body: string;
  /** `Opentime-Event`: what the body is. */
  event: string;
  /** `Opentime-Delivery`: the same on every attempt, for the receiver's idempotency. */
  delivery: string;
  /** Epoch milliseconds the signature's timestamp is taken from. */
  sentAt: number;
  /** Sent after `User-Agent`, before the Opentime headers. */
  extraHeaders?: Record<string, string>;
  timeoutMs?: number;
  /** Tests pass a fake; default: Node's fetch. */
  fetch?: typeof fetch;
}

/**
 * One signed JSON POST to a receiver's webhook (`Opentime-Signature:
 * t=…,v1=…`), as the form notifications and the triggered-message transport
 * send them. Redirects are not followed: a webhook URL that moves is a
 * misconfiguration, not a place to send signed bodies to. The answer's body is
 * read and dropped so the connection is freed; the caller judges the status.
 */
export async function postSignedWebhook(post: SignedWebhookPost): Promise<Response> {
  const response = await (post.fetch ?? fetch)(post.url, {
    method: 'POST',
    redirect: 'manual',
    signal: AbortSignal.timeout(post.timeoutMs ?? 10_000),
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'Opentime-Webhook/1',
      ...post.extraHeaders,
      'Opentime-Event': post.event,
      'Opentime-Delivery': post.delivery,
      'Opentime-Signature': signWebhookBody(post.secret, post.body, Math.floor(post.sentAt / 1000)),
    },
    body: post.body,
  });
  await response.arrayBuffer().catch(() => undefined);
  return response;
}
