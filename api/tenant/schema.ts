import { z } from 'zod';
import { l1StateView } from '../l1/schema.js';

export const tenantOverview = z.object({
  id: z.string(),
  displayName: z.string(),
  status: z.enum(['provisioning', 'ready', 'degraded', 'offboarding', 'offboarded']),
  statusReason: z.string().optional(),
  createdAt: z.iso.datetime(),
  readyAt: z.iso.datetime().optional(),
  provisioningDurationMs: z.number().int().optional(),
  l1: l1StateView,
  services: z.object({ total: z.number().int() }),
  kmip: z.object({ endpoint: z.string() }),
});
