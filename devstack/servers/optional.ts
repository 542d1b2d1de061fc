import type { Ports, StackConfig } from '../config.js';
import type { Tools } from '../install/index.js';
import type { StackInfo } from '../stack-info.js';
import type { ServerSpec } from '../supervisor.js';

/** A server the stack runs only when it can: it brings its own ports and its stack.json entry. */
export interface OptionalServer<K extends 'pykmip' | 'lowkeyVault'> {
  spec: ServerSpec;
  ports: (keyof Ports)[];
  info: () => NonNullable<StackInfo[K]>;
}

/**
 * SLOT — Lowkey Vault (Azure Key Vault API, Maven Central
 * `com.github.nagyesta.lowkey-vault:lowkey-vault-app`). The keystores work fills this in:
 * install the jar (cached under config.cacheDir), return a spec listening on
 * config.ports.lowkeyVault and the `lowkeyVault` stack.json entry. Undefined = not started.
 */
export async function lowkeyVaultServer(_config: StackConfig, _tools: Tools): Promise<OptionalServer<'lowkeyVault'> | undefined> {
  return undefined;
}
