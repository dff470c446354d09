import fs from 'node:fs';
import path from 'node:path';
import { missingOptionalEntries } from '../scripts/lock-optional-platforms';

describe('package-lock.json', () => {
  test('lists every optional platform package, so `npm ci` accepts it (npm run lock:platforms)', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package-lock.json'), 'utf8'));
    expect([...missingOptionalEntries(lock.packages).keys()]).toEqual([]);
  });
});
