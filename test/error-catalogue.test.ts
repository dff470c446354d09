import fs from 'node:fs';
import path from 'node:path';
import { errorCatalogue } from '../src/http/error-catalogue';

describe('error catalogue', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

  test.each(Object.entries(errorCatalogue))('%s is documented in the README with its status', (code, { status }) => {
    expect(readme).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
  });

  test('every message says what to do or what was expected, and 4xx codes are 4xx', () => {
    for (const [code, { status, message }] of Object.entries(errorCatalogue)) {
      expect(message.length).toBeGreaterThan(20);
      expect(code.startsWith('internal') ? status >= 500 : status < 500).toBe(true);
    }
  });
});
