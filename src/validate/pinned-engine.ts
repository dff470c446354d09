/**
 * The AMP validator engine Opentime validates with, offline. Written by
 * scripts/update-amp-validator.ts (see vendor/amp-validator/SOURCE.md); edit by
 * running that script, never by hand, so the file and its checksum move together.
 */
export const PINNED_AMP_VALIDATOR = {
  /** The npm package whose tarball ships the engine. */
  package: 'next',
  version: '15.5.29',
  /** Path of the engine inside that package. */
  path: 'dist/compiled/amphtml-validator/validator_wasm.js',
  /** Where it lives in this repository, relative to the package root. */
  vendoredPath: 'vendor/amp-validator/validator_wasm.js',
  sha256: 'f1f4629ab36f555f5a9937a5cf00f0ef780bf025883c035d06389b151c896f26',
  bytes: 4012235,
} as const;
