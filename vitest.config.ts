import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// The AWS SDK warns about Node 20 on first use; Node 20 is this project's target. Set here
// so that `npx vitest` is as quiet as `npm test` (the global setup talks to local-kms).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Four projects: fast unit tests beside the code, tests against the real dev stack
// (started once by the global setup), the console's component tests, and the static
// checks (lint, type checks) so that `npm test` fails on them too.
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
          exclude: ['tests/static/**', 'tests/deploy/**'],
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
      {
        test: {
          name: 'static',
          include: ['tests/static/**/*.test.ts', 'tests/deploy/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
        },
      },
    ],
  },
});
