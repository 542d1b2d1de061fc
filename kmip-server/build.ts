import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * The KMIP server as the dev stack, the tests and the benchmarks run it: one JavaScript file,
 * built from `kmip-server/main.ts` in well under a second. Production runs compiled JavaScript
 * too (the Dockerfile's `tsc` build); through a TypeScript loader the same server answered about
 * 10 % fewer Gets per second, because the loader's helpers run on every request.
 *
 * The file is named by a hash of its content, so processes building at the same time (parallel
 * test files) write identical files, and a server whose cluster workers start after a rebuild
 * still loads the code its primary runs. Packages stay external: they load from node_modules,
 * as in production. The source map is inline, so stack traces name the TypeScript lines.
 */
const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const OUT_DIR = path.join(REPO_ROOT, 'dist', 'dev', 'kmip-server');
/** Bundles of earlier sources are removed once this old (a running server may still use one). */
const STALE_AFTER_MS = 7 * 24 * 3600_000;

let built: Promise<string> | undefined;

/** Path of the built entry point; builds once per process. */
export function buildKmipServer(): Promise<string> {
  built ??= bundle().catch((e: unknown) => {
    built = undefined;
    throw e;
  });
  return built;
}

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(REPO_ROOT, 'kmip-server', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    sourcesContent: false,
    write: false,
    outfile: path.join(OUT_DIR, 'main.mjs'),
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const file = path.join(OUT_DIR, `main-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(OUT_DIR, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  removeStale(file);
  return file;
}

function removeStale(current: string): void {
  const now = Date.now();
  for (const name of readdirSync(OUT_DIR)) {
    const f = path.join(OUT_DIR, name);
    if (f === current) continue;
    try {
      if (now - statSync(f).mtimeMs > STALE_AFTER_MS) rmSync(f, { force: true });
    } catch {
      // removed by a concurrent build
    }
  }
}
