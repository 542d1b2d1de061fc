/**
 * Global setup of the integration project: starts a stack of its own in `.data-test/`
 * (wiped first) on ephemeral ports, so `npm test` runs beside a running `npm start`, and
 * stops it when the run ends. Tests find it through OPENKCM_STACK_FILE (tests/support/stack.ts).
 *
 * Set OPENKCM_STACK_FILE yourself to run the tests against a stack that is already up,
 * e.g. `OPENKCM_STACK_FILE=.data/stack.json npx vitest run --project integration`.
 */
import { testConfig } from '../../devstack/config.js';
import { SetupError } from '../../devstack/errors.js';
import { prepare } from '../../devstack/prepare.js';
import { startStack } from '../../devstack/stack.js';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.OPENKCM_STACK_FILE) return undefined;
  const started = Date.now();
  try {
    const tools = await prepare();
    const stack = await startStack(await testConfig(), tools);
    process.env.OPENKCM_STACK_FILE = stack.stackFile;
    console.log(`test stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${stack.info.dataDir})`);
    return async () => {
      await stack.stop();
      delete process.env.OPENKCM_STACK_FILE;
    };
  } catch (err) {
    // One readable line instead of a stack trace through vitest's internals.
    if (err instanceof SetupError) {
      if (err.details) console.error(err.details);
      throw new Error(err.line());
    }
    throw err;
  }
}
