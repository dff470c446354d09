import request from 'supertest';
import { productPatchSchema } from '../src/api/payload-schemas';
import { errorCatalogue } from '../src/http/error-catalogue';
import { createApiApp, postJson, type ApiApp } from './helpers/api-app';

describe('the API describes itself (OpenAPI 3.1)', () => {
  let fixture: ApiApp;
  beforeAll(async () => {
    fixture = await createApiApp();
  });
  afterAll(() => fixture.close());

  test('GET /api/v1/openapi.json needs no key and lists every endpoint', async () => {
    const response = await request(fixture.app).get('/api/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths).sort()).toEqual(
      [
        '/api/v1/blocks',
        '/api/v1/campaigns',
        '/api/v1/campaigns/{campaignId}/subscribers/{subscriberId}/timeline',
        '/api/v1/campaigns/{campaignId}/test-emails',
        '/api/v1/campaigns/{id}',
        '/api/v1/events',
        '/api/v1/notify-requests',
        '/api/v1/openapi.json',
        '/api/v1/preview/campaigns/{campaignId}/blocks/{block}',
        '/api/v1/preview/campaigns/{campaignId}/email',
        '/api/v1/products',
        '/api/v1/products/{id}',
        '/api/v1/reports/campaigns/{campaignId}',
        '/api/v1/subscribers',
        '/api/v1/subscribers/{id}',
        '/api/v1/triggers/dead-letters',
        '/api/v1/triggers/dead-letters/{id}/retry',
        '/api/v1/triggers/jobs',
        '/api/v1/triggers/outbox',
      ],
    );
  });

  test('request schemas come from the validating zod schemas: same fields, unknown ones refused', async () => {
    const document = (await request(fixture.app).get('/api/v1/openapi.json')).body;
    const item = document.paths['/api/v1/products'].post.requestBody.content['application/json'].schema.properties.products.items;
    expect(Object.keys(item.properties).sort()).toEqual(Object.keys(productPatchSchema.shape).sort());
    expect(item.additionalProperties).toBe(false);
    expect(item.required).toEqual(['id']);
    // What the document promises is what the server does.
    const rejected = await postJson(fixture, '/api/v1/products', { products: [{ id: 'quilted-jacket-olive', notInTheDocument: 1 }] });
    expect(rejected.status).toBe(400);
    const statuses = Object.keys(document.paths['/api/v1/products'].post.responses).map(Number);
    expect(statuses).toEqual(expect.arrayContaining([200, 400, 401, 403, errorCatalogue.payload_too_large.status, errorCatalogue.unsupported_media_type.status]));
  });
});
