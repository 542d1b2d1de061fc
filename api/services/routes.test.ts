import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDependencies } from '../../activities/dependencies.js';
import { createTenantActivities } from '../../activities/tenant-activities.js';
import { createCsr } from '../../lib/pki/index.js';
import { useTestApi } from '../testing/use-test-api.js';

const api = useTestApi();
let admin: string;
let auditor: string;
let otherAdmin: string;

beforeAll(async () => {
  ({ adminToken: admin, auditorToken: auditor } = await api.tenantWithUsers('acme'));
  ({ adminToken: otherAdmin } = await api.tenantWithUsers('other'));
}, 120_000);

describe('services and certificates', () => {
  let generatedSerial: string;

  it('registers a service (admin only) and lists it for the tenant only', async () => {
    expect((await api.request('POST', '/api/services', { token: auditor, body: { serviceId: 'orders' } })).status).toBe(403);
    const created = await api.request('POST', '/api/services', { token: admin, body: { serviceId: 'orders', description: 'Orders DB' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      serviceId: 'orders',
      description: 'Orders DB',
      spiffeId: 'spiffe://openkcm/tenant/acme/service/orders',
      activeCertificates: 0,
    });
    expect((await api.request('POST', '/api/services', { token: admin, body: { serviceId: 'orders' } })).status).toBe(409);
    const bad = await api.request('POST', '/api/services', { token: admin, body: { serviceId: 'Orders DB' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.fields).toHaveProperty('serviceId');

    expect((await api.request('GET', '/api/services', { token: auditor })).json.items.map((s: { serviceId: string }) => s.serviceId)).toEqual(['orders']);
    expect((await api.request('GET', '/api/services', { token: otherAdmin })).json.items).toEqual([]);
    expect((await api.request('GET', '/api/services/orders', { token: otherAdmin })).status).toBe(404);
  });

  it('generates a key pair once: certificate for the SPIFFE id, private key and PKCS#12 in the answer', async () => {
    const response = await api.request('POST', '/api/services/orders/certificates', { token: admin, body: { generate: true } });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = response.json;
    generatedSerial = body.certificate.serial;
    expect(body.certificate).toMatchObject({ serviceId: 'orders', status: 'active' });
    expect(body.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(Buffer.from(body.pkcs12Base64, 'base64').length).toBeGreaterThan(100);
    expect(body.pkcs12Password.length).toBeGreaterThan(8);
    const x509 = new X509Certificate(body.certificatePem);
    expect(x509.subjectAltName).toBe('URI:spiffe://openkcm/tenant/acme/service/orders');
    expect(body.chainPem.startsWith(body.certificatePem.trim())).toBe(true);
    expect(body.caPem).toContain('BEGIN CERTIFICATE');

    const detail = await api.request('GET', '/api/services/orders', { token: auditor });
    expect(detail.json.activeCertificates).toBe(1);
    expect(detail.json.certificates[0]).toMatchObject({ serial: generatedSerial, status: 'active' });
    expect(detail.text).not.toContain('PRIVATE KEY');
    expect(api.logs.join('\n')).not.toContain(body.privateKeyPem.split('\n')[1]);
  });

  it('issues from a CSR without returning any private key; a bad CSR is a 400 on csrPem', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const csrPem = createCsr(privateKey, { CN: 'orders' });
    const response = await api.request('POST', '/api/services/orders/certificates', { token: admin, body: { csrPem } });
    expect(response.status).toBe(201);
    expect(response.json).not.toHaveProperty('privateKeyPem');
    expect(response.json).not.toHaveProperty('pkcs12Base64');

    const bad = await api.request('POST', '/api/services/orders/certificates', { token: admin, body: { csrPem: 'not a csr' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.fields).toHaveProperty('csrPem');
    const both = await api.request('POST', '/api/services/orders/certificates', { token: admin, body: { csrPem, generate: true } });
    expect(both.status).toBe(400);
    expect((await api.request('POST', '/api/services/nosuch/certificates', { token: admin, body: { generate: true } })).status).toBe(404);
  });

  it('revokes a certificate of the tenant; another tenant gets 404 for it', async () => {
    const foreign = await api.request('POST', `/api/services/orders/certificates/${generatedSerial}/revoke`, { token: otherAdmin, body: {} });
    expect(foreign.status).toBe(404);
    const wrongService = await api.request('POST', `/api/services/mongodb/certificates/${generatedSerial}/revoke`, { token: admin, body: {} });
    expect(wrongService.status).toBe(404);
    const revoked = await api.request('POST', `/api/services/orders/certificates/${generatedSerial}/revoke`, {
      token: admin,
      body: { reason: 'keyCompromise' },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ serial: generatedSerial, status: 'revoked' });
    expect(typeof revoked.json.revokedAt).toBe('string');
    expect((await api.deps.pki.getCertificate(generatedSerial))?.status).toBe('revoked');
    const badReason = await api.request('POST', `/api/services/orders/certificates/${generatedSerial}/revoke`, { token: admin, body: { reason: 'because' } });
    expect(badReason.status).toBe(400);
  });

  it('lists services that only have certificates, without a registration record', async () => {
    await api.deps.pki.issueServiceKeyPair({ tenantId: 'acme', serviceId: 'legacy' });
    const list = await api.request('GET', '/api/services', { token: auditor });
    expect(list.json.items.map((s: { serviceId: string }) => s.serviceId)).toEqual(['legacy', 'orders']);
    const tenant = await api.request('GET', '/api/tenant', { token: auditor });
    expect(tenant.json.services.total).toBe(2);
  });

  it('hands over the bundle provisioning generated for the default service exactly once', async () => {
    // The real provisioning activity creates the service and seals its bundle.
    const activities = createTenantActivities({
      services: api.deps.repos.services,
      box: api.deps.sealer,
      pki: async () => api.deps.pki,
    } as unknown as ActivityDependencies);
    const { serviceId, serial } = await activities.ensureDefaultServiceIdentity({ tenantId: 'acme' });
    const shown = await api.request('GET', `/api/services/${serviceId}`, { token: auditor });
    expect(shown.json).toMatchObject({ serviceId, bundlePending: true, activeCertificates: 1 });

    expect((await api.request('POST', `/api/services/${serviceId}/bundle`, { token: auditor })).status).toBe(403);
    expect((await api.request('POST', `/api/services/${serviceId}/bundle`, { token: otherAdmin })).status).toBe(404);
    const bundle = await api.request('POST', `/api/services/${serviceId}/bundle`, { token: admin });
    expect(bundle.status).toBe(200);
    expect(bundle.json.certificate).toMatchObject({ serial, serviceId, status: 'active' });
    expect(bundle.json.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(new X509Certificate(bundle.json.certificatePem).checkPrivateKey(createPrivateKey(bundle.json.privateKeyPem))).toBe(true);
    expect(bundle.json.pkcs12Base64.length).toBeGreaterThan(100);
    expect((await api.request('POST', `/api/services/${serviceId}/bundle`, { token: admin })).status).toBe(404);
    expect((await api.request('GET', `/api/services/${serviceId}`, { token: auditor })).json.bundlePending).toBe(false);
  });

  it('serves snippets naming the KMIP endpoint and the files the CLI writes', async () => {
    const response = await api.request('GET', '/api/services/orders/snippets', { token: auditor });
    expect(response.status).toBe(200);
    expect(response.json.kmipEndpoint).toBe('kmip.openkcm.test:5696');
    expect(response.json.caPem).toContain('BEGIN CERTIFICATE');
    for (const key of ['nodeCsfle', 'pythonCsfle', 'mongodEncryptionAtRest', 'fieldEncryptionClient']) {
      expect(response.json[key]).toContain('kmip.openkcm.test');
    }
    expect(response.json.mongodEncryptionAtRest).toContain('clientCertificateFile: ./openkcm-orders/orders.pem');
    expect(response.json.nodeCsfle).toContain("tlsCertificateKeyFile: './openkcm-orders/orders.pem'");
    expect(response.json.fieldEncryptionClient).toContain('./openkcm-orders/orders.key.pem');
  });

  it('audits registrations, issuance and revocation', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const page = await api.deps.audit.query('acme', { actor: 'admin' }, { limit: 50 });
    const operations = page.items.map((e) => e.operation);
    expect(operations).toEqual(expect.arrayContaining(['service.register', 'service.certificate.issue', 'service.certificate.revoke']));
  });
});
