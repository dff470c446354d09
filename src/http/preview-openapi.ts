import type { ErrorCode } from './error-catalogue';
import { PREVIEW_CLIENTS, PREVIEW_CLIENT_LABELS } from '../preview/preview-target';

/** The preview endpoints in the OpenAPI document (http/preview-router.ts); `errors` is the document's error-response builder. */
export function previewOpenApiPaths(errors: (...codes: ErrorCode[]) => Record<string, unknown>): Record<string, unknown> {
  const target = [
    { name: 'campaignId', in: 'path', required: true, schema: { type: 'string' } },
    { name: 'subscriber', in: 'query', required: true, description: 'The subscriber id.', schema: { type: 'string', minLength: 1, maxLength: 256 } },
    {
      name: 'at',
      in: 'query',
      required: false,
      description: "The moment of the open, ISO 8601 with a zone (2026-11-22T10:00:00Z, 2026-11-22T11:00:00+01:00); default now. A countdown counts down from it; rules see it.",
      schema: { type: 'string', format: 'date-time' },
    },
    {
      name: 'client',
      in: 'query',
      required: false,
      description: `Who opens (default amp): ${PREVIEW_CLIENTS.map((client) => `${client}: ${PREVIEW_CLIENT_LABELS[client]}`).join('; ')}. Rules see it as open.client; apple-prefetch is not a human open.`,
      schema: { type: 'string', enum: [...PREVIEW_CLIENTS] },
    },
  ];
  const notRecorded = 'Resolved exactly as an open of that subscriber at that moment by that client would be, and recorded nowhere: no render log row, no impression, no lock claimed (a lock in force is shown, `locked: true`). Needs the scope console.';
  const blockPreview = {
    type: 'object',
    properties: {
      blockId: { type: 'string' },
      kind: { type: 'string' },
      outcome: { type: 'string', enum: ['view', 'fallback'] },
      reason: { type: ['string', 'null'], enum: ['held_back', 'data_missing', 'error', 'holdout', null] },
      variant: { type: ['string', 'null'], description: 'The message variant that applied.' },
      experimentVariant: { type: ['string', 'null'] },
      locked: { type: 'boolean', description: 'The view frozen at this subscriber’s first open (lockAtFirstOpen).' },
      locksAtFirstOpen: { type: 'boolean' },
      json: { type: 'object', description: 'The amp-list answer, {"items":[…]}.' },
      imageFormat: { type: 'string', enum: ['png', 'gif'] },
      slotUrls: { type: 'array', items: { type: 'string' } },
    },
  };
  const targetEcho = {
    campaignId: { type: 'string' },
    subscriberId: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    client: { type: 'string' },
    humanOpen: { type: 'boolean' },
    locale: { type: 'string' },
    timeZone: { type: 'string' },
  };
  const problems = errors('query_invalid', 'api_key_missing', 'api_key_invalid', 'api_scope_missing', 'campaign_not_found', 'subscriber_not_found', 'block_not_found');
  return {
    '/api/v1/preview/campaigns/{campaignId}/blocks/{block}': {
      get: {
        summary: "One block's amp-list JSON (`{block}` = the block id) or its picture (`{block}` = <id>.png or <id>.gif, also ?slot=header|N and ?scale=1|2) for a subscriber at a moment.",
        description: notRecorded,
        security: [{ apiKey: [] }],
        parameters: [
          ...target,
          { name: 'block', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}(\\.(png|gif))?$' } },
          { name: 'slot', in: 'query', required: false, description: 'Pictures only: one part of a picture cut into parts.', schema: { type: 'string' } },
          { name: 'scale', in: 'query', required: false, description: 'Pictures only.', schema: { type: 'integer', enum: [1, 2] } },
        ],
        responses: {
          '200': {
            description: 'The block preview as JSON, or the picture (X-Opentime-Outcome says which rung drew it).',
            content: {
              'application/json': { schema: { type: 'object', properties: { ...targetEcho, ...blockPreview.properties, imageUrl: { type: 'string' } } } },
              'image/png': { schema: { type: 'string', format: 'binary' } },
              'image/gif': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...problems,
        },
      },
    },
    '/api/v1/preview/campaigns/{campaignId}/email': {
      get: {
        summary: 'The whole email for a subscriber at a moment: every block, the HTML part on preview pictures, the AMP part filled from the JSON, sizes against Gmail’s limits and the validator’s verdict.',
        description: `${notRecorded} ampRendered fills each amp-list's amp-mustache template from its block's JSON with the mustache language: a preview of the data, not Gmail's renderer.`,
        security: [{ apiKey: [] }],
        parameters: [...target, { name: 'template', in: 'query', required: false, description: "A template under amp-templates/; default the campaign's first, else the one named like the campaign.", schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'The email preview. Image URLs in html are paths on this server (the block endpoint above).',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    ...targetEcho,
                    template: { type: 'string' },
                    templates: { type: 'array', items: { type: 'string' } },
                    subject: { type: ['string', 'null'] },
                    blocks: { type: 'array', items: blockPreview },
                    html: { type: 'string' },
                    ampRendered: { type: 'string' },
                    sizes: {
                      type: 'object',
                      properties: {
                        ampBytes: { type: 'integer' },
                        ampLimit: { type: 'integer', const: 200000 },
                        styleBytes: { type: 'integer' },
                        styleLimit: { type: 'integer', const: 75000 },
                        htmlBytes: { type: 'integer' },
                        gmailClipAt: { type: 'integer', const: 102400 },
                      },
                    },
                    validator: {
                      type: 'object',
                      properties: {
                        status: { type: 'string', enum: ['pass', 'fail', 'unavailable'] },
                        engine: { type: ['string', 'null'] },
                        errors: { type: 'array', items: { type: 'object' } },
                        warnings: { type: 'array', items: { type: 'object' } },
                      },
                    },
                  },
                },
              },
            },
          },
          ...errors('query_invalid', 'api_key_missing', 'api_key_invalid', 'api_scope_missing', 'campaign_not_found', 'subscriber_not_found', 'template_not_found'),
        },
      },
    },
  };
}
