import type { z } from 'zod';
import { KeystoreError } from '../types.js';

/** Parses with zod and turns failures into one invalid-config error naming the bad fields (never their values). */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new KeystoreError('invalid-config', `invalid ${what}: ${issues.join('; ')}`);
}
