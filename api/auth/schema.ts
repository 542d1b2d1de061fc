import { z } from 'zod';
import { IDENTIFIER_PATTERN } from '../../lib/tenants/model.js';

export const tenantIdSchema = z.string().regex(IDENTIFIER_PATTERN, 'must be a tenant id (lower-case letters, digits and dashes)');
export const roleSchema = z.enum(['admin', 'auditor']);

export const loginBody = z.object({
  tenantId: tenantIdSchema,
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(1_000),
});

export const userView = z.object({ username: z.string(), role: roleSchema, tenantId: z.string() });

export const loginResponse = z.object({
  token: z.string(),
  expiresAt: z.iso.datetime(),
  user: userView,
});

export const passwordBody = z.object({
  currentPassword: z.string().min(1).max(1_000),
  newPassword: z.string().min(12, 'must be at least 12 characters').max(1_000),
});
