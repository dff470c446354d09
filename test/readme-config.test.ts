import fs from 'node:fs';
import path from 'node:path';
import { environmentVariables } from '../src/config';

describe('README configuration table', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

  test.each(Object.entries(environmentVariables))('%s is documented with its config-file key', (variable, key) => {
    expect(readme).toContain(`| \`${variable}\` (\`${key}\`) |`);
  });
});
