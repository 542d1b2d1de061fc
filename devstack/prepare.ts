import path from 'node:path';
import { devConfig } from './config.js';
import { ensureConsoleBuilt } from './console-build.js';
import { ensureTools, type Tools } from './install/index.js';

/**
 * Everything a stack needs before it can start: the tools (installed once, cached under
 * ~/.cache/openkcm) and the built console. Cheap when nothing changed.
 */
export async function prepare(env: NodeJS.ProcessEnv = process.env): Promise<Tools> {
  const { cacheDir } = devConfig(env);
  const [tools] = await Promise.all([ensureTools(cacheDir), ensureConsoleBuilt(path.join(cacheDir, 'logs'))]);
  return tools;
}
