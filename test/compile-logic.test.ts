import jsonLogic from 'json-logic-js';
import { compileLogic } from '../src/rules/compile-logic';
import { compileRule } from '../src/rules/rule';

/** Facts of the shapes rules see, with the awkward values JSON Logic treats specially (null, [], "", 0). */
const FACTS: unknown[] = [
  {
    subscriber: { id: 'sub-emma', locale: 'en-US', loyaltyPoints: 1200, loyaltyTier: 'gold', purchases: ['p1', 'p2'], cart: [], recentViews: ['p3'], city: null },
    campaign: { id: 'flash-sale', secondsLeft: 3600, endsAt: '2026-11-25T14:00:00Z' },
    now: { hour: 19, weekday: 1, date: '2026-11-23' },
    open: { client: 'amp', personalised: true },
    product: { id: 'p1', stock: 0, price: 120, salePrice: 99, onSale: true, discountPercent: 18, category: 'coats', name: 'Parka' },
  },
  {
    subscriber: null,
    campaign: null,
    now: { hour: 7, weekday: 6, date: '2026-11-28' },
    open: { client: 'gmail-proxy', personalised: false },
    product: { id: 'p9', stock: 4, price: 40, salePrice: null, onSale: false, discountPercent: 0, category: 'bags', name: '' },
  },
  { product: { id: '0', stock: '5', price: '40' }, subscriber: { purchases: '0,1' } },
  {},
  null,
];

const RULES: unknown[] = [
  true,
  0,
  'text',
  [],
  { '<=': [{ var: 'product.stock' }, 0] },
  { '<=': [{ var: 'product.stock' }, 5] },
  { '<': [{ var: 'campaign.secondsLeft' }, 86400] },
  { '<': [0, { var: 'product.stock' }, 5] },
  { '<=': [1, { var: 'product.stock' }, { var: 'missing.path' }] },
  { var: 'product.onSale' },
  { var: ['product.nothing', 'fallback'] },
  { var: '' },
  { var: 'subscriber.purchases.0' },
  { in: [{ var: 'product.id' }, { var: 'subscriber.purchases' }] },
  { in: ['0', { var: 'subscriber.purchases' }] },
  { in: [{ var: 'product.id' }, { var: 'subscriber.nothing' }] },
  { '!': { var: 'subscriber.cart' } },
  { '!!': [{ var: 'subscriber.cart' }] },
  { '!': [{ in: [{ var: 'product.category' }, ['coats', 'knitwear']] }] },
  { '==': [{ var: 'product.stock' }, '5'] },
  { '===': [{ var: 'product.stock' }, 5] },
  { '!=': [{ var: 'subscriber.city' }, null] },
  { '!==': [{ var: 'open.client' }, 'amp'] },
  { '>': [{ var: 'subscriber.loyaltyPoints' }, 1000] },
  { '>=': [{ var: 'now.hour' }, 18] },
  { '%': [{ var: 'now.weekday' }, 2] },
  { '/': [{ var: 'product.price' }, 2] },
  { '-': [{ var: 'product.price' }, { var: 'product.salePrice' }] },
  { '-': [{ var: 'product.price' }] },
  { and: [{ var: 'open.personalised' }, { '>=': [{ var: 'now.hour' }, 18] }] },
  { and: [] },
  { or: [{ var: 'subscriber.cart' }, { var: 'subscriber.recentViews' }] },
  { or: [false, 0, ''] },
  { if: [{ var: 'product.onSale' }, 'sale', { '<=': [{ var: 'product.stock' }, 5] }, 'low', 'plain'] },
  { if: [false, 'x'] },
  { '?:': [{ var: 'subscriber' }, 'known', 'anonymous'] },
  // Not compiled: evaluated by json-logic-js itself.
  { some: [{ var: 'subscriber.purchases' }, { '==': [{ var: '' }, 'p2'] }] },
  { missing: ['subscriber.city', 'product.id'] },
  { '+': [{ var: 'product.price' }, '1'] },
  { cat: ['-', { var: 'product.discountPercent' }, '%'] },
  { var: { cat: ['product.', 'id'] } },
];

describe('compiled JSON Logic', () => {
  test.each(RULES.map((rule) => [JSON.stringify(rule), rule] as const))('%s answers what jsonLogic.apply answers, on every fact set', (_name, rule) => {
    const compiled = compileLogic(rule);
    for (const facts of FACTS) {
      expect(compiled(facts)).toEqual(jsonLogic.apply(rule as Parameters<typeof jsonLogic.apply>[0], facts as Record<string, unknown>));
    }
  });

  test('a rule is true or false by JSON Logic truthiness: an empty list is false', () => {
    const nothingMissing = compileRule({ missing: ['product.id'] }, 'test');
    expect(nothingMissing({ product: { id: 'p1' } } as never)).toBe(false);
    expect(nothingMissing({ product: {} } as never)).toBe(true);
  });
});
