import { z } from 'zod';
import { tenantIdSchema } from '../auth/schema.js';

export const platformMeshEvent = z.object({
  id: z.string().min(1).max(200),
  type: z.enum(['tenant.created', 'tenant.deleted']),
  createdAt: z.iso.datetime({ offset: true }),
  data: z.object({
    tenantId: tenantIdSchema,
    displayName: z.string().trim().min(1).max(200).optional(),
  }),
});

export const webhookAccepted = z.object({
  accepted: z.boolean(),
  duplicate: z.boolean().optional(),
  workflowId: z.string().optional(),
});
