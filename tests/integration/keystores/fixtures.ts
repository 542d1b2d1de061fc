import { existsSync } from 'node:fs';
import path from 'node:path';
import { KeystoreError } from '../../../lib/keystores/types.js';
import type { Diagnostics } from '../../../lib/keystores/types.js';
import { stack } from '../../support/stack.js';
import type { StackInfo } from '../../../devstack/stack-info.js';

/** The running dev stack, when there is one; tests fall back to their own emulator instances. */
export function runningStack(): StackInfo | undefined {
  const file = process.env.OPENKCM_STACK_FILE ?? path.resolve('.data-test', 'stack.json');
  if (!existsSync(file)) return undefined;
  try {
    return stack();
  } catch {
    return undefined;
  }
}

/** Everything a connector ever said to a user, for "no secret leaks" assertions. */
export function transcript(...things: Array<Diagnostics | unknown>): string {
  return things
    .map((t) => {
      if (t instanceof Error) return `${t.name}: ${t.message} ${t instanceof KeystoreError ? t.code : ''}`;
      return JSON.stringify(t);
    })
    .join('\n');
}

export async function caught(promise: Promise<unknown>): Promise<KeystoreError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeystoreError) return error;
    throw error;
  }
  throw new Error('expected a KeystoreError, but the call succeeded');
}

export function statuses(d: Diagnostics): string {
  return d.steps.map((s) => `${s.step}:${s.status}`).join(' ');
}
