import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKmipServer } from './build.js';

describe('buildKmipServer', () => {
  it('writes one ES module named by the hash of its content, once per process', async () => {
    const file = await buildKmipServer();
    const code = readFileSync(file);
    expect(path.basename(file)).toBe(`main-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
    expect(await buildKmipServer()).toBe(file);
    const text = code.toString('utf8');
    // Packages load from node_modules at run time, as in production; our own code is inside.
    expect(text).toMatch(/^import .* from "mongodb";$/m);
    expect(text).toContain('function runPrimary(');
    expect(text).toContain('//# sourceMappingURL=data:application/json;base64,');
  });
});
