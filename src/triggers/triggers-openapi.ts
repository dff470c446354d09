import type { ErrorCode } from '../http/error-catalogue';

const job = {
  type: 'object',
  properties: {
    id: { type: 'string', description: '<trigger>:<event id> (catalogue triggers: <trigger>:back_in_stock:<product>:<subscriber>:<requested at ms> or <trigger>:price_drop:<product>:<subscriber>:<at ms>): the idempotency key the message carries' },
    triggerId: { type: 'string' },
    subscriberId: { type: 'string' },
    productId: { type: ['string', 'null'] },
    campaignId: { type: 'string' },
    template: { type: 'string' },
    dedupeKey: { type: 'string' },
    state: { type: 'string', enum: ['pending', 'sent', 'cancelled', 'suppressed', 'dead'] },
    sourceAt: { type: 'string', description: 'when the causing event happened, or the product patch of a catalogue trigger was written (ISO 8601)' },
    runAt: { type: 'string', description: 'when due; while a worker holds it, the end of its lease' },
    attempts: { type: 'integer', description: 'failed attempts' },
    createdAt: { type: 'string' },
    settledAt: { type: ['string', 'null'] },
    outcome: { type: ['string', 'null'], description: 'why cancelled or suppressed, or the receiver\u2019s answer' },
    lastError: { type: ['string', 'null'] },
  },
};

const limit = { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } };

const list = (summary: string, key: string, scope: string, item: object, errors: Record<string, unknown>, parameters: object[] = []) => ({
  summary: `${summary} Needs the scope ${scope}.`,
  security: [{ apiKey: [] }],
  parameters: [...parameters, limit],
  responses: {
    '200': { description: 'Latest first.', content: { 'application/json': { schema: { type: 'object', properties: { [key]: { type: 'array', items: item } } } } } },
    ...errors,
  },
});

/** The triggered-send endpoints (triggers/triggers-router.ts) in GET /api/v1/openapi.json. */
export function triggersOpenApiPaths(errors: (...codes: ErrorCode[]) => Record<string, unknown>): Record<string, unknown> {
  const refused = errors('bad_request', 'api_key_missing', 'api_key_invalid', 'api_scope_missing');
  return {
    '/api/v1/triggers/jobs': {
      get: list('Triggered-send jobs in one state (README "Triggered sends").', 'jobs', 'triggers:read', job, refused, [
        { name: 'state', in: 'query', required: false, schema: { type: 'string', enum: ['pending', 'sent', 'cancelled', 'suppressed', 'dead'], default: 'pending' } },
      ]),
    },
    '/api/v1/triggers/dead-letters': { get: list('Jobs given up after their last attempt.', 'deadLetters', 'triggers:read', job, refused) },
    '/api/v1/triggers/outbox': {
      get: list('Messages kept instead of sent: no SMTP server or webhook is configured.', 'messages', 'triggers:read', { ...job, properties: { ...job.properties, message: { type: 'string', description: 'the whole RFC 5322 message' } } }, refused),
    },
    '/api/v1/triggers/dead-letters/{id}/retry': {
      post: {
        summary: 'Puts a dead letter back in the queue, due now. Needs the scope triggers:write.',
        security: [{ apiKey: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'Queued again.', content: { 'application/json': { schema: { type: 'object', properties: { retried: { type: 'string' } } } } } },
          ...errors('api_key_missing', 'api_key_invalid', 'api_scope_missing', 'dead_letter_not_found'),
        },
      },
    },
  };
}
