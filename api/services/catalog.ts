import type { CertificateRecordView, ServicePki } from '../deps.js';
import { serviceSpiffeId as spiffeId } from '../../lib/pki/index.js';
import type { ServiceRecord, ServiceRepository } from '../../lib/services/repository.js';

/**
 * A tenant's services as the console sees them: the registered ones plus any identity the PKI
 * has certificates for (provisioning issues the default service's certificate directly).
 */
export interface ServiceSummary {
  serviceId: string;
  description?: string;
  createdAt: Date;
  spiffeId: string;
  activeCertificates: number;
  /** Provisioning generated a key pair for this service that has not been downloaded yet. */
  bundlePending: boolean;
  certificates: CertificateRecordView[];
}

export function certificateStatus(record: CertificateRecordView, now: Date): 'active' | 'revoked' | 'expired' {
  if (record.status === 'revoked') return 'revoked';
  return record.notAfter.getTime() <= now.getTime() ? 'expired' : 'active';
}

export class ServiceCatalog {
  constructor(
    private readonly services: ServiceRepository,
    private readonly pki: ServicePki,
  ) {}

  async list(tenantId: string, now: Date): Promise<ServiceSummary[]> {
    const [records, certificates] = await Promise.all([
      this.services.list(tenantId),
      this.pki.listCertificates({ tenantId }),
    ]);
    const byService = new Map<string, CertificateRecordView[]>();
    for (const cert of certificates) {
      if (!cert.serviceId) continue;
      const list = byService.get(cert.serviceId) ?? [];
      list.push(cert);
      byService.set(cert.serviceId, list);
    }
    const registered = new Map(records.map((r) => [r.serviceId, r]));
    const ids = new Set([...registered.keys(), ...byService.keys()]);
    return [...ids]
      .sort()
      .map((serviceId) => summarize(tenantId, serviceId, registered.get(serviceId), byService.get(serviceId) ?? [], now));
  }

  async get(tenantId: string, serviceId: string, now: Date): Promise<ServiceSummary | undefined> {
    const [record, certificates] = await Promise.all([
      this.services.get(tenantId, serviceId),
      this.pki.listCertificates({ tenantId, serviceId }),
    ]);
    if (!record && certificates.length === 0) return undefined;
    return summarize(tenantId, serviceId, record ?? undefined, certificates, now);
  }

  async count(tenantId: string, now: Date): Promise<number> {
    return (await this.list(tenantId, now)).length;
  }
}

function summarize(
  tenantId: string,
  serviceId: string,
  record: ServiceRecord | undefined,
  certificates: CertificateRecordView[],
  now: Date,
): ServiceSummary {
  const oldest = certificates.reduce<Date | undefined>((min, c) => (!min || c.notBefore < min ? c.notBefore : min), undefined);
  return {
    serviceId,
    ...(record?.description ? { description: record.description } : {}),
    createdAt: record?.createdAt ?? oldest ?? now,
    spiffeId: spiffeId(tenantId, serviceId),
    activeCertificates: certificates.filter((c) => certificateStatus(c, now) === 'active').length,
    bundlePending: record?.pendingBundle !== undefined,
    certificates,
  };
}
