import { devConfig } from './config.js';
import { ensureConsoleBuilt } from './console-build.js';
import { ensureTools, type Tools } from './install/index.js';
import { settleAll } from './settle.js';

/**
 * Everything a stack needs before it can start: the tools (installed once, cached under
 * ~/.cache/openkcm) and the built console. Cheap when nothing changed.
 */
export async function prepare(env: NodeJS.ProcessEnv = process.env): Promise<Tools> {
  const { cacheDir } = devConfig(env);
  const [tools] = await settleAll<[Tools, string]>([ensureTools(cacheDir), ensureConsoleBuilt()]);
  return tools;
}
