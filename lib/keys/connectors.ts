import type { L1Connector } from '../keystores/types.js';
import { l1SecretsAad, type L1ConfigRecord } from '../tenants/l1-configs.js';

export interface ConnectorResolverDependencies {
  /** Tenant-scoped lookup of an L1 configuration. */
  loadConfig(tenantId: string, configId: string): Promise<L1ConfigRecord | null>;
  /** Opens sealed keystore secrets (SecretBox.open). */
  openSecrets(sealed: string, aad: string): Buffer;
  /** Builds a connector from settings (with `kind`) and plaintext secrets (lib/keystores createConnector). */
  build(settings: unknown, secrets: unknown): L1Connector;
}

export class UnknownL1ConfigError extends Error {
  override readonly name = 'UnknownL1ConfigError';
}

/**
 * One live connector per L1 configuration: building one can load a PKCS#11 module or open
 * TLS sessions, so it is reused. Secrets are opened only to build the connector and the
 * buffer is zeroed right after parsing.
 */
export class L1ConnectorResolver {
  private readonly connectors = new Map<string, Promise<L1Connector>>();

  constructor(private readonly deps: ConnectorResolverDependencies) {}

  forConfig(tenantId: string, configId: string): Promise<L1Connector> {
    const id = `${tenantId}\0${configId}`;
    let connector = this.connectors.get(id);
    if (!connector) {
      connector = this.build(tenantId, configId);
      this.connectors.set(id, connector);
      // A failed build must not stay cached: the next call tries again.
      connector.catch(() => this.connectors.delete(id));
    }
    return connector;
  }

  /** Closes and forgets a tenant's connectors (configuration changed, tenant revoked). */
  async evictTenant(tenantId: string): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [id, connector] of this.connectors) {
      if (!id.startsWith(`${tenantId}\0`)) continue;
      this.connectors.delete(id);
      closing.push(connector.then((c) => c.close(), () => undefined));
    }
    await Promise.all(closing);
  }

  async closeAll(): Promise<void> {
    const all = [...this.connectors.values()];
    this.connectors.clear();
    await Promise.all(all.map((c) => c.then((x) => x.close(), () => undefined)));
  }

  private async build(tenantId: string, configId: string): Promise<L1Connector> {
    const config = await this.deps.loadConfig(tenantId, configId);
    if (!config) throw new UnknownL1ConfigError(`L1 configuration ${configId} does not exist for this tenant`);
    const plaintext = this.deps.openSecrets(config.sealedSecrets, l1SecretsAad(tenantId, configId));
    try {
      return this.deps.build({ ...config.settings, kind: config.kind }, JSON.parse(plaintext.toString('utf8')) as unknown);
    } finally {
      plaintext.fill(0);
    }
  }
}
