/**
 * Two projects (`jest --selectProjects unit|scale`; plain `jest` runs both):
 * - unit: every test under test/ except test/scale; needs nothing but Node;
 * - scale: test/scale, against a real PostgreSQL and Redis that its global
 *   setup starts on loopback for the run (test/scale/services/).
 */
const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  transform: {
    // `npm test` type-checks everything once with tsc before jest; ts-jest only transpiles
    // (tsconfig's isolatedModules), which keeps the run fast.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
};

/** @type {import('jest').Config} */
module.exports = {
  // A global option: jest ignores it inside a project.
  testTimeout: 30000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/scale/'],
    },
    {
      ...shared,
      displayName: 'scale',
      testMatch: ['<rootDir>/test/scale/**/*.test.ts'],
      globalSetup: '<rootDir>/test/scale/services/global-setup.ts',
      globalTeardown: '<rootDir>/test/scale/services/global-teardown.ts',
    },
  ],
};
