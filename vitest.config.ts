import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two cores: more workers only thrash. Integration tests each get their own database, so files run in parallel safely.
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          // e2e/ drives the real console in Chromium against the same real server and databases.
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts', 'test/helpers/ui-build.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
