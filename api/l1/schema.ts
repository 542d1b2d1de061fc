import { z } from 'zod';
import { DIAGNOSTIC_STEPS } from '../../lib/keystores/types.js';
import { keystoreIssues } from './keystore-config.js';
import { keystoreForm } from './keystore-forms.js';

export const KEYSTORE_KINDS = ['aws-kms', 'azure-keyvault', 'pkcs11', 'kmip'] as const;
export const l1StatusSchema = z.enum(['inactive', 'activating', 'active', 'error', 'revoked']);
const stepSchema = z.enum(DIAGNOSTIC_STEPS);

export const l1StateView = z.object({
  status: l1StatusSchema,
  reason: z.string().optional(),
  configId: z.string().optional(),
  currentL2Version: z.number().int().optional(),
  checkedAt: z.iso.datetime().optional(),
  changedAt: z.iso.datetime(),
});

export const testResultView = z.object({
  ok: z.boolean(),
  failedStep: stepSchema.optional(),
  steps: z.array(
    z.object({
      step: stepSchema,
      status: z.enum(['passed', 'failed', 'skipped']),
      message: z.string(),
      durationMs: z.number(),
    }),
  ),
});

export const l1ConfigView = z.object({
  id: z.string(),
  kind: z.enum(KEYSTORE_KINDS),
  label: z.string(),
  /** The non-secret settings as stored (defaults applied). */
  settings: z.record(z.string(), z.unknown()),
  /** Names of the secrets that are set; their values are never returned. */
  secretsConfigured: z.array(z.string()),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  state: z.enum(['draft', 'active', 'retired']),
  lastTest: testResultView.extend({ at: z.iso.datetime() }).optional(),
});

/**
 * The create body, one shape per keystore kind (docs/api.md). After the shape, the settings and
 * secrets are checked with the keystore's own schemas (lib/keystores); every problem comes back
 * at once, as `settings.<field>` / `secrets.<field>`.
 */
export const createL1ConfigBody = keystoreForm.superRefine((body, ctx) => {
  for (const issue of keystoreIssues(body)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

export const configIdParams = z.object({ id: z.string().min(1).max(100) });
export const testParams = configIdParams.extend({ testId: z.uuid('must be a test id as returned when the test started') });

export const testStarted = z.object({ testId: z.string() });

/**
 * A connection test while it runs and after: all six steps in order, the ones not reported yet
 * as `pending` (no message). `result` once completed; `reason` when the test could not run.
 */
export const testRunView = z.object({
  testId: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  startedAt: z.iso.datetime(),
  steps: z.array(
    z.object({
      step: stepSchema,
      status: z.enum(['passed', 'failed', 'skipped', 'pending']),
      message: z.string().optional(),
      durationMs: z.number().optional(),
    }),
  ),
  result: testResultView.optional(),
  reason: z.string().optional(),
});

export const activationStarted = z.object({ workflowId: z.string(), runId: z.string() });

export const activationView = z.object({
  workflowId: z.string(),
  runId: z.string(),
  startedAt: z.iso.datetime(),
  step: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  result: z
    .object({
      ok: z.boolean(),
      status: z.enum(['active', 'error']),
      reason: z.string().optional(),
      failedStep: stepSchema.optional(),
      l2Version: z.number().int().optional(),
      nodesInvalidated: z.number().int(),
      durationMs: z.number(),
    })
    .optional(),
});

export const rotateBody = z.object({ confirm: z.string().min(1, 'type the tenant id to confirm') });
export const rotateResponse = z.object({ l2Version: z.number().int() });
export const revokeBody = z.object({
  confirm: z.string().min(1, 'type the tenant id to confirm'),
  reason: z.string().trim().min(1).max(500),
});
export const revokeResponse = z.object({ status: z.literal('revoked') });
