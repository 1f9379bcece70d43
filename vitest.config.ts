import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: 'forks',
    // compiles dist/ once for the tests that spawn the built CLI
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
