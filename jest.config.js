/** Jest runs in ESM mode: NestJS 12 is pure ESM (see README, "Tests"). */
export default {
  testEnvironment: 'node',
  // TypeORM keeps its decorator metadata on globalThis; Jest's cleanup between files would break it.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@app/shared$': '<rootDir>/libs/shared/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  testMatch: ['<rootDir>/{apps,libs,test,emulators}/**/*.spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30_000,
};
