import { z } from 'zod';
import { testEmailRequestSchema } from '../email/test-email';
import type { ErrorCode } from './error-catalogue';

/**
 * The endpoints behind the console's pages in the OpenAPI document
 * (http/console-api-router.ts, the campaign report of http/reports-router.ts):
 * every console action is also an API call described here. `errors` is the
 * document's error-response builder.
 */
export function consoleOpenApiPaths(errors: (...codes: ErrorCode[]) => Record<string, unknown>): Record<string, unknown> {
  const auth = ['api_key_missing', 'api_key_invalid', 'api_scope_missing'] as const;
  const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
  const path = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
  const interval = { type: ['object', 'null'], properties: { low: { type: 'number' }, high: { type: 'number' } } };
  const { $schema: _dialect, ...testEmailBody } = z.toJSONSchema(testEmailRequestSchema, { io: 'input' }) as Record<string, unknown>;
  return {
    '/api/v1/blocks': {
      get: {
        summary: 'Every block as the server serves it now: kind, rules and options, message variants, experiment arms with weights and shares, lock at first open, translations, and the subscriber locales without a translation. Needs the scope blocks:read or console.',
        security: [{ apiKey: [] }],
        responses: {
          '200': json(
            {
              type: 'object',
              properties: {
                blocks: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, kind: { type: 'string' }, options: { type: 'object' }, experiment: { type: ['object', 'null'] }, lockAtFirstOpen: { type: ['object', 'null'] }, translations: { type: 'array', items: { type: 'string' } }, warnings: { type: 'object' } } } },
                lastRefusedReload: { type: ['object', 'null'], description: 'The last blocks-config reload that was refused (its error), until a reload applies.', properties: { at: { type: 'string' }, reason: { type: 'string' } } },
              },
            },
            'The blocks.',
          ),
          ...errors(...auth),
        },
      },
    },
    '/api/v1/reports/campaigns/{campaignId}': {
      get: {
        summary: 'The campaign report: per block and experiment arm, renders, prefetches, unique human opens, clicks, CTR with its 95% interval, lift and difference against the holdout with their 95% intervals. Needs the scope reports:read or console.',
        security: [{ apiKey: [] }],
        parameters: [path('campaignId')],
        responses: {
          '200': json(
            {
              type: 'object',
              properties: {
                campaignId: { type: 'string' },
                generatedAt: { type: 'string' },
                blocks: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      blockId: { type: 'string' },
                      variants: { type: 'array', items: { type: 'object', properties: { variant: { type: ['string', 'null'] }, renders: { type: 'integer' }, prefetchRenders: { type: 'integer' }, humanOpeners: { type: 'integer' }, clicks: { type: 'integer' }, clickers: { type: 'integer' }, ctr: { type: ['number', 'null'] }, ctrInterval: interval, lift: interval, ctrDifference: interval } } },
                    },
                  },
                },
              },
            },
            'The report.',
          ),
          ...errors('bad_request', ...auth, 'campaign_not_found'),
        },
      },
    },
    '/api/v1/campaigns/{campaignId}/subscribers/{subscriberId}/timeline': {
      get: {
        summary: "What one subscriber was shown and clicked in one campaign, from the render log: renders and clicks newest first (at most 200 of each), each at its UTC time and in the subscriber's zone, with surface, client class, prefetch, experiment arm, slot → item ids, locked or live. Needs the scope reports:read or console.",
        security: [{ apiKey: [] }],
        parameters: [path('campaignId'), path('subscriberId')],
        responses: {
          '200': json(
            {
              type: 'object',
              properties: {
                campaignId: { type: 'string' },
                subscriberId: { type: 'string' },
                timeZone: { type: 'string' },
                truncated: { type: 'boolean' },
                events: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      type: { type: 'string', enum: ['render', 'click'] },
                      at: { type: 'string' },
                      localTime: { type: 'string' },
                      blockId: { type: 'string' },
                      variant: { type: ['string', 'null'] },
                      surface: { type: 'string', enum: ['json', 'image'] },
                      client: { type: 'string' },
                      prefetch: { type: 'boolean' },
                      outcome: { type: 'string' },
                      locked: { type: 'boolean' },
                      slots: { type: 'array', items: { type: 'object', properties: { slot: { type: 'integer' }, itemId: { type: 'string' } } } },
                      slot: { type: 'integer', description: 'Clicks: the slot clicked.' },
                      url: { type: 'string', description: 'Clicks: where the click was sent.' },
                    },
                  },
                },
              },
            },
            'The timeline.',
          ),
          ...errors('bad_request', ...auth, 'campaign_not_found', 'subscriber_not_found'),
        },
      },
    },
    '/api/v1/campaigns/{campaignId}/test-emails': {
      post: {
        summary: "A test email for one subscriber, built as `opentime email` builds it (every Opentime URL with a real token for them). Without `to`: answers the .eml (message/rfc822, as a download). With `to`: sends it over OPENTIME_SMTP_URL and answers what the SMTP server said. Its opens and clicks are recorded like any other. Needs the scope console.",
        security: [{ apiKey: [] }],
        parameters: [path('campaignId')],
        requestBody: { required: true, content: { 'application/json': { schema: testEmailBody } } },
        responses: {
          '200': {
            description: 'The .eml (no `to`), or the send (with `to`).',
            content: {
              'message/rfc822': { schema: { type: 'string' } },
              'application/json': { schema: { type: 'object', properties: { sent: { const: true }, to: { type: 'string' }, from: { type: 'string' }, template: { type: 'string' }, bytes: { type: 'integer' }, smtpResponse: { type: 'string' } } } },
            },
          },
          ...errors('validation_failed', 'smtp_not_configured', ...auth, 'campaign_not_found', 'subscriber_not_found', 'smtp_send_failed', 'unsupported_media_type', 'payload_too_large'),
        },
      },
    },
  };
}
