import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { StackInfo } from '../../devstack/stack-info.js';

let cached: StackInfo | undefined;

/** The stack the global setup started (or the one named by OPENKCM_STACK_FILE). */
export function stack(): StackInfo {
  if (cached) return cached;
  const file = process.env.OPENKCM_STACK_FILE ?? path.resolve('.data-test', 'stack.json');
  cached = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
  return cached;
}
