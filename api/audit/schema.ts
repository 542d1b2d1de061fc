import { z } from 'zod';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const auditFilterQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  actor: z.string().min(1).max(200).optional(),
  operation: z.string().min(1).max(200).optional(),
  result: z.enum(['success', 'failure', 'denied']).optional(),
  objectId: z.string().min(1).max(500).optional(),
  serviceId: z.string().min(1).max(100).optional(),
  crossTenant: flag.optional(),
});

export const auditListQuery = auditFilterQuery.extend({
  cursor: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const auditExportQuery = auditFilterQuery.extend({ format: z.enum(['csv', 'json', 'jsonl']).default('csv') });

export const auditEventView = z.object({
  id: z.string(),
  time: z.iso.datetime(),
  actor: z.object({ kind: z.string(), id: z.string() }),
  operation: z.string(),
  objectId: z.string().optional(),
  l2Version: z.number().int().optional(),
  result: z.enum(['success', 'failure', 'denied']),
  reason: z.string().optional(),
  crossTenant: z.boolean().optional(),
  latencyMs: z.number().optional(),
  clientAddress: z.string().optional(),
  serviceId: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const auditPage = z.object({ items: z.array(auditEventView), nextCursor: z.string().optional() });

export const auditVerification = z.object({
  ok: z.boolean(),
  chains: z.number().int(),
  records: z.number().int(),
  problems: z.array(
    z.object({
      chain: z.string().optional(),
      recordId: z.string().optional(),
      sequence: z.number().int().optional(),
      problem: z.string(),
    }),
  ),
  verifiedAt: z.iso.datetime(),
});
