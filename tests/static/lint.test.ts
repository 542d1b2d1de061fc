import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../devstack/paths.js';

/** Runs a tool from node_modules and returns its exit status and combined output. */
function runTool(script: string, args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules', script), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (status) => resolve({ status, output }));
  });
}

// Lint and type errors fail `npm test`, so a green suite means a clean tree.
// The three run one after another: side by side they fight over two cores.
describe('static checks', () => {
  it('eslint passes on the whole repository', async () => {
    const { status, output } = await runTool('eslint/bin/eslint.js', ['.', '--max-warnings', '0']);
    expect(output, output).not.toMatch(/\d+ problems?/);
    expect(status).toBe(0);
  });

  it('tsc finds no type errors (tsconfig.json)', async () => {
    const { status, output } = await runTool('typescript/bin/tsc', ['-p', 'tsconfig.json', '--noEmit']);
    expect(output.trim(), output).toBe('');
    expect(status).toBe(0);
  });

  it('vue-tsc finds no type errors in the console', async () => {
    const { status, output } = await runTool('vue-tsc/bin/vue-tsc.js', ['-p', 'console/tsconfig.json', '--noEmit']);
    expect(output.trim(), output).toBe('');
    expect(status).toBe(0);
  });
});
