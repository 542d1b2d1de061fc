import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Three projects: fast unit tests beside the code, tests against the real dev stack
// (started once by the global setup), and the console's component tests.
export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{lib,kmip-server,clients,api,activities,workflows,workers,devstack,cli}/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./tests/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'console',
          include: ['console/src/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
    ],
  },
});
