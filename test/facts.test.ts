import { buildOpen } from '../src/open/open';
import { buildFacts } from '../src/rules/facts';
import { compileRule } from '../src/rules/rule';

/** Tuesday 2026-11-24, 03:30 UTC: still Monday evening in Los Angeles, already Tuesday noon in Tokyo. */
const AT = new Date('2026-11-24T03:30:00.000Z');

const factsIn = (timeZone: string) => buildFacts(buildOpen({ now: AT, subscriber: null, campaign: null, client: 'amp', defaultLocale: 'en-US', defaultTimeZone: timeZone }));

describe('the moment, as rules see it', () => {
  test('hour, weekday and date are the wall clock of the subscriber\'s time zone', () => {
    const losAngeles = factsIn('America/Los_Angeles');
    expect({ hour: losAngeles.now.hour, weekday: losAngeles.now.weekday, date: losAngeles.now.date }).toEqual({ hour: 19, weekday: 1, date: '2026-11-23' });
    const tokyo = factsIn('Asia/Tokyo');
    expect({ hour: tokyo.now.hour, weekday: tokyo.now.weekday, date: tokyo.now.date }).toEqual({ hour: 12, weekday: 2, date: '2026-11-24' });
    expect(tokyo.now.iso).toBe('2026-11-24T03:30:00.000Z');
    expect(tokyo.now.epochMs).toBe(AT.getTime());
  });

  test('JSON Logic rules read the moment through `var`', () => {
    const eveningSale = compileRule({ and: [{ '>=': [{ var: 'now.hour' }, 18] }, { '==': [{ var: 'now.weekday' }, 1] }] }, 'test');
    expect(eveningSale(factsIn('America/Los_Angeles'))).toBe(true);
    expect(eveningSale(factsIn('Asia/Tokyo'))).toBe(false);
    const fromDate = compileRule({ '>=': [{ var: 'now.date' }, '2026-11-24'] }, 'test');
    expect(fromDate(factsIn('Asia/Tokyo'))).toBe(true);
    expect(fromDate(factsIn('America/Los_Angeles'))).toBe(false);
  });

  test('serialised facts show the moment with every field', () => {
    expect(JSON.parse(JSON.stringify(factsIn('Asia/Tokyo'))).now).toEqual({ iso: '2026-11-24T03:30:00.000Z', epochMs: AT.getTime(), hour: 12, weekday: 2, date: '2026-11-24' });
  });
});
