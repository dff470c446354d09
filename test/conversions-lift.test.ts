import { buildConversionReport } from '../src/conversions/conversion-report';
import { binomial, revenueLift } from '../src/conversions/revenue-lift';
import { seededRandom } from '../src/conversions/seeded-random';
import type { CampaignOrderRow } from '../src/storage/ports/orders';
import type { ReportCounts } from '../src/storage/ports/render-log';

/** Revenue lift against the holdout: a seeded percentile bootstrap (README "Conversions and revenue"). */

const counts = (blockId: string, variant: string | null, humanOpeners: number): ReportCounts => ({ blockId, variant, renders: humanOpeners, prefetchRenders: 0, humanOpeners, clicks: 0, clickers: 0 });
const buyers = (blockId: string, variant: string | null, currency: string, revenues: number[]): CampaignOrderRow[] =>
  revenues.map((revenueMinor, i) => ({ blockId, variant, currency, subscriberId: `${variant}-${currency}-${i}`, orders: 1, revenueMinor }));

describe('revenue lift', () => {
  // 1,000 openers per group: 80 treatment buyers spending 50.00 each, 40 holdout buyers spending 50.00 each.
  const treatment = { openers: 1000, buyerRevenue: Array<number>(80).fill(5000) };
  const holdout = { openers: 1000, buyerRevenue: Array<number>(40).fill(5000) };

  test('with a fixed seed the interval is the same on every run, and another seed moves it only a little', () => {
    const first = revenueLift(treatment, holdout, seededRandom(7));
    const again = revenueLift(treatment, holdout, seededRandom(7));
    expect(again).toEqual(first);
    expect(first).toMatchObject({ treatmentPerOpener: 400, holdoutPerOpener: 200, difference: 200, relative: 1 });
    const other = revenueLift(treatment, holdout, seededRandom(8));
    expect(other?.differenceInterval).not.toEqual(first?.differenceInterval);
    expect(Math.abs((other?.differenceInterval.low ?? 0) - (first?.differenceInterval.low ?? 0))).toBeLessThan(20);
  });

  test('the 95% interval is about ±1.96 standard errors: a doubled conversion rate is a proven lift, equal groups are not', () => {
    const lift = revenueLift(treatment, holdout, seededRandom(1));
    // Standard error of the difference of two means of 0/5000 values: 5000 × sqrt((p1(1−p1) + p2(1−p2)) / 1000) ≈ 52.9 minor units (p1 = 0.08, p2 = 0.04).
    expect(lift?.differenceInterval.low).toBeGreaterThan(200 - 1.96 * 52.9 - 10);
    expect(lift?.differenceInterval.low).toBeLessThan(200 - 1.96 * 52.9 + 10);
    expect(lift?.differenceInterval.high).toBeGreaterThan(200 + 1.96 * 52.9 - 10);
    expect(lift?.differenceInterval.high).toBeLessThan(200 + 1.96 * 52.9 + 10);
    expect(lift?.differenceInterval.low).toBeGreaterThan(0);
    expect(lift?.relativeInterval?.low).toBeGreaterThan(0);

    const same = revenueLift(holdout, holdout, seededRandom(1));
    expect(same?.difference).toBe(0);
    expect(same?.differenceInterval.low).toBeLessThan(0);
    expect(same?.differenceInterval.high).toBeGreaterThan(0);
  });

  test('a holdout that spent nothing has no relative lift; a group without openers has no lift at all', () => {
    const lift = revenueLift(treatment, { openers: 500, buyerRevenue: [] }, seededRandom(1));
    expect(lift).toMatchObject({ holdoutPerOpener: 0, relative: null, relativeInterval: null });
    expect(lift?.differenceInterval.low).toBeGreaterThan(0);
    expect(revenueLift(treatment, { openers: 0, buyerRevenue: [] }, seededRandom(1))).toBeNull();
  });

  test('binomial draws have the right mean in each of their regimes', () => {
    const random = seededRandom(3);
    for (const [n, p] of [[20, 0.3], [5000, 0.002], [5000, 0.2], [5000, 0.9]] as const) {
      let sum = 0;
      for (let i = 0; i < 4000; i += 1) sum += binomial(n, p, random);
      expect(Math.abs(sum / 4000 - n * p)).toBeLessThan(Math.max(0.1, 0.03 * n * p));
    }
  });

  test('the report computes the lift per block and currency, currencies never mixed, and is reproducible through its seed', () => {
    const input = {
      counts: [counts('picks', 'a', 600), counts('picks', 'b', 400), counts('picks', 'holdout', 1000), counts('hero', null, 900)],
      credited: [...buyers('picks', 'a', 'EUR', [5000, 5000]), ...buyers('picks', 'holdout', 'GBP', [1234])],
      byOpen: [...buyers('picks', 'a', 'EUR', Array(50).fill(5000)), ...buyers('picks', 'b', 'EUR', Array(30).fill(5000)), ...buyers('picks', 'holdout', 'EUR', Array(40).fill(5000)), ...buyers('picks', 'a', 'USD', [999])],
      model: 'last_click' as const,
      windowDays: 7,
      seed: 11,
    };
    const report = buildConversionReport(input);
    expect(report.rows).toEqual([
      { blockId: 'picks', variant: 'a', currency: 'EUR', humanOpeners: 600, orders: 2, buyers: 2, revenue: '100.00', conversionRate: 2 / 600, revenuePerHumanOpen: '0.1667' },
      { blockId: 'picks', variant: 'holdout', currency: 'GBP', humanOpeners: 1000, orders: 1, buyers: 1, revenue: '12.34', conversionRate: 0.001, revenuePerHumanOpen: '0.0123' },
    ]);
    expect(report.lift.map((row) => [row.blockId, row.currency, row.treatmentOpeners, row.holdoutOpeners, row.treatmentPerOpen, row.holdoutPerOpen, row.difference])).toEqual([
      ['picks', 'EUR', 1000, 1000, '4.0000', '2.0000', '2.0000'],
      ['picks', 'USD', 1000, 1000, '0.0100', '0.0000', '0.0100'],
    ]);
    expect(report.lift[1]?.relative).toBeNull();
    expect(buildConversionReport(input)).toEqual(report);
  });
});
