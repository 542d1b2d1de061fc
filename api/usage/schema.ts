import { z } from 'zod';

export const usageQuery = z.object({ minutes: z.coerce.number().int().min(1).max(1_440).default(60) });

const stats = { operations: z.number().int(), errors: z.number().int(), p50Ms: z.number(), p99Ms: z.number() };
export const usageView = z.object({
  series: z.array(z.object({ minute: z.iso.datetime(), ...stats })),
  totals: z.object(stats),
});
