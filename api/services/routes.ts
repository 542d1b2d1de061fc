import type { z } from 'zod';
import { bundleAad } from '../../lib/services/repository.js';
import { auditUser } from '../audit/record.js';
import type { ApiDeps, CertificateRecordView, IssuedCertificateView, IssuedKeyPairView } from '../deps.js';
import { errors } from '../errors.js';
import { route, type AnyRoute, type Principal } from '../http/route.js';
import { certificateStatus, type ServiceCatalog, type ServiceSummary } from './catalog.js';
import {
  certificateParams,
  certificateView,
  createServiceBody,
  issueCertificateBody,
  issuedCertificateView,
  revokeCertificateBody,
  serviceDetailView,
  serviceList,
  serviceParams,
  serviceView,
  snippetsView,
} from './schema.js';
import { snippets } from './snippets.js';

/** What provisioning seals for a service it generated a key pair for (activities/tenant-activities.ts). */
interface StoredBundle {
  serial: string;
  certificatePem: string;
  chainPem: string;
  caPem: string;
  privateKeyPem: string;
  pkcs12Base64: string;
  pkcs12Password: string;
}

function isKeyPair(issued: IssuedCertificateView | IssuedKeyPairView): issued is IssuedKeyPairView {
  return 'privateKeyPem' in issued;
}

function certificateOf(record: CertificateRecordView, now: Date): z.input<typeof certificateView> {
  return {
    serial: record._id,
    serviceId: record.serviceId ?? '',
    notBefore: record.notBefore.toISOString(),
    notAfter: record.notAfter.toISOString(),
    fingerprintSha256: record.fingerprint256,
    status: certificateStatus(record, now),
    ...(record.revokedAt ? { revokedAt: record.revokedAt.toISOString() } : {}),
  };
}

function serviceOf(summary: ServiceSummary): z.input<typeof serviceView> {
  return {
    serviceId: summary.serviceId,
    ...(summary.description ? { description: summary.description } : {}),
    createdAt: summary.createdAt.toISOString(),
    spiffeId: summary.spiffeId,
    activeCertificates: summary.activeCertificates,
    bundlePending: summary.bundlePending,
  };
}

export function serviceRoutes(deps: ApiDeps, catalog: ServiceCatalog): AnyRoute[] {
  const { pki } = deps;

  const serviceOrThrow = async (principal: Principal, serviceId: string) => {
    const summary = await catalog.get(principal.tenantId, serviceId, deps.now());
    if (!summary) throw errors.notFound('service');
    return summary;
  };

  return [
    route({
      method: 'get',
      path: '/api/services',
      operationId: 'listServices',
      summary: 'The tenant’s MongoDB service identities',
      tag: 'services',
      access: 'user',
      response: serviceList,
      async handler(_ctx, { principal }) {
        return { items: (await catalog.list(principal.tenantId, deps.now())).map(serviceOf) };
      },
    }),
    route({
      method: 'post',
      path: '/api/services',
      operationId: 'createService',
      summary: 'Register a MongoDB service identity',
      tag: 'services',
      access: 'admin',
      body: createServiceBody,
      status: 201,
      response: serviceView,
      errorStatuses: [409],
      async handler(ctx, { body, principal }) {
        if (await catalog.get(principal.tenantId, body.serviceId, deps.now())) throw errors.conflict('that service exists already');
        const { created } = await deps.repos.services.createIfAbsent(
          {
            tenantId: principal.tenantId,
            serviceId: body.serviceId,
            ...(body.description ? { description: body.description } : {}),
            createdBy: principal.username,
          },
          deps.now(),
        );
        if (!created) throw errors.conflict('that service exists already');
        await auditUser(deps.audit, ctx, principal, { operation: 'service.register', result: 'success', objectId: body.serviceId });
        ctx.set('location', `/api/services/${body.serviceId}`);
        return serviceOf(await serviceOrThrow(principal, body.serviceId));
      },
    }),
    route({
      method: 'get',
      path: '/api/services/:serviceId',
      operationId: 'getService',
      summary: 'A service identity with its certificates',
      tag: 'services',
      access: 'user',
      params: serviceParams,
      response: serviceDetailView,
      async handler(_ctx, { params, principal }) {
        const summary = await serviceOrThrow(principal, params.serviceId);
        const now = deps.now();
        return { ...serviceOf(summary), certificates: summary.certificates.map((c) => certificateOf(c, now)) };
      },
    }),
    route({
      method: 'post',
      path: '/api/services/:serviceId/certificates',
      operationId: 'issueCertificate',
      summary: 'Issue a certificate from a CSR, or generate the key pair (returned once)',
      tag: 'services',
      access: 'admin',
      params: serviceParams,
      body: issueCertificateBody,
      status: 201,
      response: issuedCertificateView,
      async handler(ctx, { params, body, principal }) {
        await serviceOrThrow(principal, params.serviceId);
        const identity = { tenantId: principal.tenantId, serviceId: params.serviceId };
        const issued = body.csrPem !== undefined
          ? await pki.issueServiceCertificate({ ...identity, csr: body.csrPem })
          : await pki.issueServiceKeyPair(identity);
        const record = await pki.getCertificate(issued.serial);
        if (!record) throw new Error('the PKI did not record the certificate it issued');
        await auditUser(deps.audit, ctx, principal, {
          operation: 'service.certificate.issue',
          result: 'success',
          objectId: issued.serial,
          details: { serviceId: params.serviceId, keySource: body.csrPem !== undefined ? 'csr' : 'generated' },
        });
        ctx.set('cache-control', 'no-store');
        return {
          certificate: certificateOf(record, deps.now()),
          certificatePem: issued.certificatePem,
          chainPem: issued.chainPem,
          caPem: issued.caPem,
          ...(isKeyPair(issued)
            ? {
                privateKeyPem: issued.privateKeyPem,
                pkcs12Base64: issued.pkcs12.toString('base64'),
                pkcs12Password: issued.pkcs12Password,
              }
            : {}),
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/services/:serviceId/bundle',
      operationId: 'takeServiceBundle',
      summary: 'Download the certificate bundle provisioning generated for this service (key included); once, then 404',
      tag: 'services',
      access: 'admin',
      params: serviceParams,
      status: 200,
      response: issuedCertificateView,
      async handler(ctx, { params, principal }) {
        const pending = await deps.repos.services.takePendingBundle(principal.tenantId, params.serviceId);
        if (!pending) throw errors.notFound('pending certificate bundle');
        const plain = deps.sealer.open(pending.sealed, bundleAad(principal.tenantId, params.serviceId, pending.serial));
        let bundle: StoredBundle;
        try {
          bundle = JSON.parse(plain.toString('utf8')) as StoredBundle;
        } finally {
          plain.fill(0);
        }
        const record = await pki.getCertificate(bundle.serial);
        if (!record || record.tenantId !== principal.tenantId) throw errors.notFound('pending certificate bundle');
        await auditUser(deps.audit, ctx, principal, {
          operation: 'service.bundle.download',
          result: 'success',
          objectId: bundle.serial,
          details: { serviceId: params.serviceId },
        });
        ctx.set('cache-control', 'no-store');
        return {
          certificate: certificateOf(record, deps.now()),
          certificatePem: bundle.certificatePem,
          chainPem: bundle.chainPem,
          caPem: bundle.caPem,
          privateKeyPem: bundle.privateKeyPem,
          pkcs12Base64: bundle.pkcs12Base64,
          pkcs12Password: bundle.pkcs12Password,
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/services/:serviceId/certificates/:serial/revoke',
      operationId: 'revokeCertificate',
      summary: 'Revoke a service certificate (KMIP refuses it from then on)',
      tag: 'services',
      access: 'admin',
      params: certificateParams,
      body: revokeCertificateBody,
      response: certificateView,
      async handler(ctx, { params, body, principal }) {
        const record = await pki.getCertificate(params.serial);
        // Another tenant's (or service's) certificate is as missing as one that never existed.
        if (!record || record.tenantId !== principal.tenantId || record.serviceId !== params.serviceId) {
          throw errors.notFound('certificate');
        }
        await pki.revoke(record._id, body.reason ?? 'unspecified');
        const after = (await pki.getCertificate(record._id)) ?? record;
        await auditUser(deps.audit, ctx, principal, {
          operation: 'service.certificate.revoke',
          result: 'success',
          objectId: record._id,
          ...(body.reason ? { reason: body.reason } : {}),
          details: { serviceId: params.serviceId },
        });
        return certificateOf(after, deps.now());
      },
    }),
    route({
      method: 'get',
      path: '/api/services/:serviceId/snippets',
      operationId: 'getServiceSnippets',
      summary: 'Configuration snippets for MongoDB drivers and mongod',
      tag: 'services',
      access: 'user',
      params: serviceParams,
      response: snippetsView,
      async handler(_ctx, { params, principal }) {
        await serviceOrThrow(principal, params.serviceId);
        return {
          kmipEndpoint: deps.config.kmipEndpoint,
          caPem: pki.rootCertificatePem,
          ...snippets({ tenantId: principal.tenantId, serviceId: params.serviceId, kmipEndpoint: deps.config.kmipEndpoint }),
        };
      },
    }),
  ];
}
