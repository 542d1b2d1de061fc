import type { StackConfig } from '../config.js';
import type { Tools } from '../install/index.js';
import type { OptionalServer } from './optional.js';

/**
 * SLOT — PyKMIP's server, standing in for a customer's KMIP HSM (HYOK) and serving as the
 * benchmark peer. Undefined = not started.
 */
export async function pykmipServer(_config: StackConfig, _tools: Tools): Promise<OptionalServer<'pykmip'> | undefined> {
  return undefined;
}
