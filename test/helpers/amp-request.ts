import request from 'supertest';
import type { Fixture } from './app-fixture';
import { SENDER } from './app-fixture';

/** An amp-list request as Gmail's proxy sends it (CORS version 2). */
export function ampGet(fixture: Fixture, blockId: string, token: string | undefined) {
  const query = token === undefined ? '' : `?t=${encodeURIComponent(token)}`;
  return request(fixture.app).get(`/amp/v1/blocks/${blockId}${query}`).set('AMP-Email-Sender', SENDER);
}

/** The first amp-list item (the view) of a successful answer. */
export async function viewOf<View = Record<string, any>>(fixture: Fixture, blockId: string, subscriberId: string, campaignId = 'flash-sale'): Promise<View> {
  const response = await ampGet(fixture, blockId, fixture.token(subscriberId, campaignId));
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${response.text}`);
  return response.body.items[0] as View;
}
