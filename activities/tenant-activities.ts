import { DEFAULT_SERVICE_ID, bundleAad } from '../lib/services/repository.js';
import type { TenantActivities } from './types.js';
import type { ActivityDependencies } from './dependencies.js';
import { permanentFailure } from './failures.js';

export const DEFAULT_ADMIN_USERNAME = 'admin';

export function createTenantActivities(deps: ActivityDependencies): TenantActivities {
  return {
    async createTenantRecord({ tenantId, displayName }) {
      const record = await deps.tenants.createIfAbsent(tenantId, displayName);
      // A tenant deleted and created again starts over.
      if (record.status === 'offboarded') {
        await deps.tenants.setStatus(tenantId, 'provisioning');
        await deps.tenants.setL1State(tenantId, { status: 'inactive' });
      }
      return { createdAt: record.createdAt.toISOString() };
    },

    async setTenantStatus({ tenantId, status, reason }) {
      await deps.tenants.setStatus(tenantId, status, reason);
    },

    async ensurePlatformPki() {
      await deps.pki();
    },

    async ensureDefaultServiceIdentity({ tenantId }) {
      const serviceId = DEFAULT_SERVICE_ID;
      const { record } = await deps.services.createIfAbsent({
        tenantId,
        serviceId,
        description: 'The tenant\'s MongoDB deployment',
        createdBy: 'provisioning',
      });
      if (record.pendingBundle) return { serviceId, serial: record.pendingBundle.serial };
      const pki = await deps.pki();
      const [active] = await pki.listCertificates({ tenantId, serviceId, status: 'active' });
      // Already issued on an earlier attempt: never a second certificate for a retry.
      if (active) return { serviceId, serial: active._id };
      const issued = await pki.issueServiceKeyPair({ tenantId, serviceId });
      const bundle = JSON.stringify({
        serial: issued.serial,
        certificatePem: issued.certificatePem,
        chainPem: issued.chainPem,
        caPem: issued.caPem,
        privateKeyPem: issued.privateKeyPem,
        pkcs12Base64: issued.pkcs12.toString('base64'),
        pkcs12Password: issued.pkcs12Password,
      });
      await deps.services.storePendingBundle(tenantId, serviceId, issued.serial, deps.box.seal(bundle, bundleAad(tenantId, serviceId, issued.serial)));
      return { serviceId, serial: issued.serial };
    },

    async ensureTenantAdmin({ tenantId }) {
      const { created } = await deps.users.createIfAbsent(tenantId, DEFAULT_ADMIN_USERNAME, 'admin');
      return { username: DEFAULT_ADMIN_USERNAME, created };
    },

    async revokeTenantCertificates({ tenantId }) {
      const pki = await deps.pki();
      return { revoked: await pki.revokeTenant(tenantId, 'cessationOfOperation') };
    },

    async deleteTenantData({ tenantId }) {
      if (!(await deps.tenants.get(tenantId))) throw permanentFailure(`tenant ${tenantId} does not exist`, 'UnknownTenant');
      // Audit events and notifications stay: the trail must outlive the tenant.
      const objects = await deps.db.collection('kmipObjects').deleteMany({ tenantId });
      await deps.services.deleteTenant(tenantId);
      await deps.l1Configs.deleteTenant(tenantId);
      await deps.users.deleteTenant(tenantId);
      await deps.connectors.evictTenant(tenantId);
      return { objectsDeleted: objects.deletedCount };
    },
  };
}
