/**
 * `npm run validate [files…]`: validates every template in amp-templates/ (or
 * the given files) with the pinned official AMP4EMAIL engine and Opentime's
 * own checks. Same as `npx opentime validate`; exits 1 on any error.
 */
import { runValidate } from '../src/commands/validate';

runValidate(process.argv.slice(2).filter((arg) => arg !== '--latest'), { latest: process.argv.includes('--latest') }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`validate: ${(error as Error).message}\n`);
    process.exitCode = 2;
  },
);
