/**
 * The loyalty kind's tiers as a subscriber reads them, through the real
 * amp-list endpoint on the demo config (Bronze from 100 points, Silver 1,000,
 * Gold 2,500, Platinum 10,000). Its golden images, including the
 * not-a-member-yet state, are in test/golden/loyalty-*.png.
 */
import type { LoyaltyView } from '../../src/kinds/loyalty';
import { createFixture, type Fixture } from '../helpers/app-fixture';
import { viewOf } from '../helpers/amp-request';

describe('loyalty block tiers', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await createFixture();
  });
  afterAll(() => fixture.close());

  async function withPoints(loyaltyPoints: number, loyaltyTier: string | null = null): Promise<LoyaltyView> {
    await fixture.storage.ingestion.applySubscriberPatches([{ id: 'sub-noah', loyaltyPoints, loyaltyTier, updatedAt: fixture.clock.now.toISOString() }], {
      now: fixture.clock.now,
      onIncomplete: 'abort',
    });
    return viewOf<LoyaltyView>(fixture, 'loyalty-status', 'sub-noah');
  }

  test('a new subscriber below the first tier is not a member yet, progressing to the first tier', async () => {
    expect(await viewOf<LoyaltyView>(fixture, 'loyalty-status', 'sub-noah')).toMatchObject({
      member: false,
      greeting: 'Hi Noah, welcome to our rewards club',
      tier: 'Not a member yet',
      nextTier: 'Bronze',
      progress: 0,
      progressText: '100 points to Bronze',
      cta: { label: 'Start earning points' },
    });
    expect(await withPoints(40)).toMatchObject({ member: false, tier: 'Not a member yet', progress: 0.4, progressText: '60 points to Bronze' });
  });

  test('reaching the first threshold makes a member of the first tier', async () => {
    expect(await withPoints(100)).toMatchObject({
      member: true,
      greeting: 'Hi Noah, you are a Bronze member',
      tier: 'Bronze',
      nextTier: 'Silver',
      progress: 0,
      progressText: '900 points to Silver',
      cta: { label: 'Use your points' },
    });
  });

  test('a tier the retailer granted wins over the points', async () => {
    expect(await withPoints(10, 'Gold')).toMatchObject({ member: true, tier: 'Gold', nextTier: 'Platinum' });
  });
});
