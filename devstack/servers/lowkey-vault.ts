import type { StackConfig } from '../config.js';
import type { Tools } from '../install/index.js';
import type { StackServer } from './types.js';

/**
 * SLOT — Lowkey Vault (Azure Key Vault API, Maven Central
 * `com.github.nagyesta.lowkey-vault:lowkey-vault-app`). The keystores work fills this in:
 * install the jar (cached under config.cacheDir, pinned in install/versions.ts), return a spec
 * listening on config.ports.lowkeyVault and the `lowkeyVault` stack.json entry.
 * Undefined = not part of the stack (stack.json then has no `lowkeyVault`).
 */
export async function lowkeyVaultServer(_config: StackConfig, _tools: Tools): Promise<StackServer<'lowkeyVault'> | undefined> {
  return undefined;
}
