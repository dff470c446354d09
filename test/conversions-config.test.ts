import { loadConfig } from '../src/config';

/** Attribution settings are validated with the rest of the config: a mistake stops start-up naming the setting and what was expected. */
describe('conversion settings', () => {
  const cwd = '/srv/app';

  test('defaults: a 7-day window, last click, no pixel secret', () => {
    const config = loadConfig({}, cwd);
    expect(config).toMatchObject({ attributionWindowDays: 7, attributionModel: 'last_click' });
    expect(config.conversionSecret).toBeUndefined();
  });

  test('set through the environment', () => {
    const config = loadConfig({ OPENTIME_ATTRIBUTION_WINDOW_DAYS: '30', OPENTIME_ATTRIBUTION_MODEL: 'last_open', OPENTIME_CONVERSION_SECRET: 'a-long-enough-secret' }, cwd);
    expect(config).toMatchObject({ attributionWindowDays: 30, attributionModel: 'last_open', conversionSecret: 'a-long-enough-secret' });
  });

  test('mistakes are refused with what was expected', () => {
    expect(() => loadConfig({ OPENTIME_ATTRIBUTION_MODEL: 'first_click' }, cwd)).toThrow(/OPENTIME_ATTRIBUTION_MODEL="first_click": expected last_click or last_open/);
    expect(() => loadConfig({ OPENTIME_ATTRIBUTION_WINDOW_DAYS: '0' }, cwd)).toThrow(/OPENTIME_ATTRIBUTION_WINDOW_DAYS="0": expected a whole number from 1 to 90/);
    expect(() => loadConfig({ OPENTIME_CONVERSION_SECRET: 'short' }, cwd)).toThrow(/OPENTIME_CONVERSION_SECRET.*expected at least 16 characters/);
  });
});
