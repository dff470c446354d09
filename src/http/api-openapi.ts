import { z } from 'zod';
import { previewOpenApiPaths } from './preview-openapi';
import { triggersOpenApiPaths } from '../triggers/triggers-openapi';
import { consoleOpenApiPaths } from './console-openapi';
import { apiScopes } from '../api/api-keys';
import { campaignPatchSchema } from '../api/campaign-schema';
import { eventSchema, MAX_BATCH, productPatchSchema, subscriberPatchSchema } from '../api/payload-schemas';
import { orderCompletedSchema } from '../conversions/order-schema';
import { SIGNATURE_HEADER } from '../api/webhook-signature';
import { errorCatalogue } from './error-catalogue';

/**
 * The ingestion API as an OpenAPI 3.1 document, served at
 * GET /api/v1/openapi.json. Request schemas are generated from the very zod
 * schemas that validate requests, so the document cannot drift from the code.
 */

const schema = (type: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const problem = {
  type: 'object',
  properties: { index: { type: 'integer', description: 'Item index in the array; -1 for the body itself.' }, path: { type: 'string' }, message: { type: 'string' } },
};
const errorBody = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', enum: Object.keys(errorCatalogue) },
        message: { type: 'string' },
        detail: { type: 'string' },
        errors: { type: 'array', items: problem, description: 'validation_failed only: every problem of the batch.' },
      },
      required: ['code', 'message'],
    },
  },
};
const patchAnswer = {
  type: 'object',
  properties: {
    received: { type: 'integer' },
    created: { type: 'integer' },
    updated: { type: 'integer' },
    unchanged: { type: 'integer', description: 'Applied but identical to what was stored.' },
    stale: {
      type: 'array',
      description: 'Older than the stored record (updatedAt): not applied.',
      items: { type: 'object', properties: { index: { type: 'integer' }, id: { type: 'string' }, storedUpdatedAt: { type: 'string' } } },
    },
  },
};
const eventAnswer = {
  type: 'object',
  properties: {
    received: { type: 'integer' },
    applied: { type: 'integer' },
    duplicates: { type: 'array', description: 'Ids seen before: acknowledged, not applied again.', items: { type: 'object', properties: { index: { type: 'integer' }, id: { type: 'string' } } } },
    stale: { type: 'array', description: 'Not applied: a cart change older than the latest applied for that product, or an identify naming an anonymous id already linked to another subscriber (its first link wins).', items: { type: 'object', properties: { index: { type: 'integer' }, id: { type: 'string' }, reason: { type: 'string' } } } },
  },
};

const errors = (...codes: (keyof typeof errorCatalogue)[]) =>
  Object.fromEntries(
    [...new Set(codes.map((code) => errorCatalogue[code].status))].map((status) => [
      String(status),
      {
        description: codes.filter((code) => errorCatalogue[code].status === status).join(', '),
        content: { 'application/json': { schema: errorBody } },
      },
    ]),
  );

function batchPost(key: string, item: z.ZodType, scope: string, answer: object, summary: string) {
  return {
    post: {
      summary,
      description: `Up to ${MAX_BATCH} records. All or nothing: one invalid record answers 400 listing every problem, and nothing is written. A 200 means committed to disk. Needs the scope ${scope}.`,
      security: [{ apiKey: [] }],
      parameters: [{ name: SIGNATURE_HEADER, in: 'header', required: false, description: 'Required when OPENTIME_WEBHOOK_SECRET is set: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.<raw body>">.', schema: { type: 'string' } }],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', additionalProperties: false, required: [key], properties: { [key]: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: schema(item) } } } } },
      },
      responses: {
        '200': { description: 'Committed.', content: { 'application/json': { schema: answer } } },
        ...errors('validation_failed', 'bad_request', 'api_key_missing', 'api_key_invalid', 'signature_invalid', 'api_scope_missing', 'payload_too_large', 'unsupported_media_type'),
      },
    },
  };
}

const notFound = { product: 'product_not_found', subscriber: 'subscriber_not_found', campaign: 'campaign_not_found' } as const;

function readOne(noun: keyof typeof notFound, scope: string, item: object) {
  return {
    get: {
      summary: `Read back one ${noun} as stored.`,
      security: [{ apiKey: [] }],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: `The ${noun}. Needs the scope ${scope}.`, content: { 'application/json': { schema: { type: 'object', properties: { [noun]: item } } } } },
        ...errors('api_key_missing', 'api_key_invalid', 'api_scope_missing', notFound[noun]),
      },
    },
  };
}

/** A campaign as stored: every field present. */
const campaignRecord = {
  ...schema(campaignPatchSchema),
  required: ['id', 'name', 'endsAt', 'allowedSenders', 'markets', 'templates', 'updatedAt'],
};

/** GET /api/v1/notify-requests (http/notify-requests-router.ts): what readers asked through notify-me forms. */
const notifyRequestsList = {
  summary: 'Notify-me requests (README "Interactive AMP forms"), by product then request time. Needs the scope subscribers:read.',
  security: [{ apiKey: [] }],
  parameters: [
    { name: 'productId', in: 'query', required: false, schema: { type: 'string', minLength: 1, maxLength: 128 } },
    { name: 'waiting', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] }, description: 'true: not yet notified; false: notified' },
    { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
  ],
  responses: {
    '200': {
      description: 'The requests; times ISO 8601, notifiedAt null while waiting.',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              requests: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { subscriberId: { type: 'string' }, productId: { type: 'string' }, campaignId: { type: 'string' }, requestedAt: { type: 'string' }, notifiedAt: { type: ['string', 'null'] } },
                },
              },
            },
          },
        },
      },
    },
    ...errors('bad_request', 'api_key_missing', 'api_key_invalid', 'api_scope_missing'),
  },
};

/** GET /api/v1/subscribers?q= (api/subscriber-search.ts). */
const subscriberSearch = {
  summary: 'Find subscribers by id prefix or a part of the first name (ASCII case ignored), id-prefix matches first, at most 20. Needs the scope subscribers:read or console.',
  security: [{ apiKey: [] }],
  parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 128 } }],
  responses: {
    '200': {
      description: 'The matches.',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              subscribers: {
                type: 'array',
                maxItems: 20,
                items: { type: 'object', properties: { id: { type: 'string' }, firstName: { type: 'string' }, locale: { type: 'string' }, timeZone: { type: 'string' }, country: { type: ['string', 'null'] } } },
              },
            },
          },
        },
      },
    },
    ...errors('bad_request', 'api_key_missing', 'api_key_invalid', 'api_scope_missing'),
  },
};

export function apiOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Opentime ingestion API',
      version: '1',
      description: 'Live data in: products, subscriber profiles, behaviour events and campaigns. Every write invalidates the caches, so the next open (JSON and image) shows it.',
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: `An API key (otk_…) with scopes among: ${apiScopes.join(', ')}. Subscriber tokens are not accepted.` } },
    },
    paths: {
      '/api/v1/products': batchPost('products', productPatchSchema, 'products:write', patchAnswer, 'Upsert products; partial updates keep the fields they leave out.'),
      '/api/v1/subscribers': {
        ...batchPost('subscribers', subscriberPatchSchema, 'subscribers:write', patchAnswer, 'Upsert subscriber profiles; partial updates keep the fields they leave out.'),
        get: subscriberSearch,
      },
      '/api/v1/events': batchPost('events', z.union([eventSchema, orderCompletedSchema]), 'events:write', eventAnswer, 'Behaviour events, idempotent by event id, and orders (`order_completed`, README "Conversions and revenue"), idempotent by orderId.'),
      '/api/v1/campaigns': {
        ...batchPost(
          'campaigns',
          campaignPatchSchema,
          'campaigns:write',
          patchAnswer,
          'Create and update campaigns; a new one needs a name, partial updates keep the fields they leave out.',
        ),
        get: {
          summary: 'Every campaign, by id. Needs the scope campaigns:read.',
          security: [{ apiKey: [] }],
          responses: {
            '200': { description: 'The campaigns.', content: { 'application/json': { schema: { type: 'object', properties: { campaigns: { type: 'array', items: campaignRecord } } } } } },
            ...errors('api_key_missing', 'api_key_invalid', 'api_scope_missing'),
          },
        },
      },
      '/api/v1/campaigns/{id}': readOne('campaign', 'campaigns:read', campaignRecord),
      '/api/v1/products/{id}': readOne('product', 'products:read', { ...schema(productPatchSchema), additionalProperties: true }),
      '/api/v1/subscribers/{id}': readOne('subscriber', 'subscribers:read', { ...schema(subscriberPatchSchema), additionalProperties: true }),
      '/api/v1/notify-requests': { get: notifyRequestsList },
      '/api/v1/openapi.json': { get: { summary: 'This document (no key needed).', responses: { '200': { description: 'OpenAPI 3.1' } } } },
      ...triggersOpenApiPaths(errors),
      ...previewOpenApiPaths(errors),
      ...consoleOpenApiPaths(errors),
    },
  };
}

