import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // UI states awaited with expect.poll can take seconds on a loaded 2-core machine; waiting longer asserts nothing about speed.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
