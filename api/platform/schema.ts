import { z } from 'zod';
import { tenantIdSchema } from '../auth/schema.js';

export const platformTenantParams = z.object({ tenantId: tenantIdSchema });
export const initialCredentials = z.object({ username: z.string(), password: z.string() });
