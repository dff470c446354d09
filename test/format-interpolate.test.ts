import { interpolate } from '../src/format/interpolate';

/** Messages as subscribers read them: ICU MessageFormat filled with values already formatted for them. */
describe('interpolate', () => {
  test('fills placeholders and leaves one without a value visible', () => {
    expect(interpolate('Hi {firstName}, {tier} awaits', { firstName: 'Lena' })).toBe('Hi Lena, {tier} awaits');
  });

  test("keeps apostrophes and words that look like tags as written (French, and the pictures' text)", () => {
    expect(interpolate("J'en profite, {firstName} <b>!</b>", { firstName: 'Camille' }, 'fr-FR')).toBe("J'en profite, Camille <b>!</b>");
  });

  test("chooses a plural branch by the reader's language, exact matches first, # as the reader writes the figure", () => {
    const points = '{n, plural, =0 {no points} one {# point} other {# points}}';
    expect(interpolate(points, { n: { count: 0, text: '0' } })).toBe('no points');
    expect(interpolate(points, { n: { count: 1, text: '1' } })).toBe('1 point');
    expect(interpolate(points, { n: { count: 1240, text: '1,240' } })).toBe('1,240 points');
    const arabic = '{n, plural, zero {لا نقاط} one {نقطة واحدة} two {نقطتان} few {# نقاط} many {# نقطة} other {# نقطة}}';
    expect(interpolate(arabic, { n: { count: 2, text: '٢' } }, 'ar-EG')).toBe('نقطتان');
    expect(interpolate(arabic, { n: { count: 3, text: '٣' } }, 'ar-EG')).toBe('٣ نقاط');
    expect(interpolate(arabic, { n: { count: 11, text: '١١' } }, 'ar-EG')).toBe('١١ نقطة');
  });

  test('a plural branch may hold placeholders; a plural without a count stays as written', () => {
    const progress = '{remaining, plural, one {# point} other {# points}} to {nextTier}';
    expect(interpolate(progress, { remaining: { count: 760, text: '760' }, nextTier: 'Platinum' })).toBe('760 points to Platinum');
    expect(interpolate(progress, { nextTier: 'Gold' })).toBe('{remaining, plural, one {# point} other {# points}} to Gold');
  });

  test('a template the parser refuses is shown as written, never thrown', () => {
    expect(interpolate('Only {stock left', { stock: 2 })).toBe('Only {stock left');
  });
});
