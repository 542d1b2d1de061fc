import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository checkout this supervisor belongs to. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where installed tools live between runs (shared by every checkout of this user). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPENKCM_CACHE_DIR) return path.resolve(env.OPENKCM_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache');
  return path.join(xdg, 'openkcm');
}
