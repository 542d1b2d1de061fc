import { X509Certificate, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Db } from 'mongodb';
import type { SecretBox } from '../secrets/secret-box.js';
import { type CaOptions, type PlatformCa, ensurePlatformCa } from './ca.js';
import { buildCertificate, newSerial } from './certificate-builder.js';
import { checkKeyPolicy, verifyCsr } from './csr.js';
import { CertificateNotFoundError, CertificateStateError } from './errors.js';
import { assertIdentifier, normalizeSerial, serviceSpiffeId } from './names.js';
import { buildPkcs12, randomPassword } from './pkcs12.js';
import { BACKDATE_MS, serverCertificateSpec, serviceCertificateSpec } from './profiles.js';
import {
  type RevokedSerials,
  currentCrlPem,
  revokeCertificate,
  revokeServiceCertificates,
  revokeTenantCertificates,
  revokedSerials,
} from './revocation.js';
import type { RevocationReason } from './revocation-reasons.js';
import { type CertificateRecord, certificatesCollection, ensurePkiIndexes } from './store.js';

/**
 * The platform PKI as the rest of OpenKCM uses it: open once per process (creates the CAs on
 * first start), then issue, renew and revoke. All certificates are ECDSA-signed by the
 * issuing CA; generated keys are ECDSA P-256.
 */
export interface PlatformPkiOptions extends CaOptions {
  /** Service certificate lifetime; default 30 days. */
  serviceValidityDays?: number;
  /** KMIP server certificate lifetime; default 90 days. */
  serverValidityDays?: number;
  /** CRL nextUpdate distance; default 24 hours. */
  crlValidityHours?: number;
}

export interface IssuedCertificate {
  serial: string;
  tenantId: string;
  serviceId: string;
  spiffeId: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint256: string;
  certificatePem: string;
  /** Leaf then issuing CA: what a client sends in its TLS handshake. */
  chainPem: string;
  /** The platform root: what a client trusts for the KMIP server's certificate. */
  caPem: string;
}

/** Returned exactly once; the private key and password are not stored anywhere. */
export interface IssuedKeyPair extends IssuedCertificate {
  privateKeyPem: string;
  pkcs12: Buffer;
  pkcs12Password: string;
}

export interface ServerCertificate {
  serial: string;
  notAfter: Date;
  certificatePem: string;
  chainPem: string;
  privateKeyPem: string;
  /** Root and issuing CA: the `ca` option that verifies client certificates. */
  trustBundlePem: string;
}

export interface ServerCertificateRequest {
  dnsNames?: string[];
  ipAddresses?: string[];
  validityDays?: number;
}

const DAY_MS = 86_400_000;
const MAX_VALIDITY_DAYS = 397;

export class PlatformPki {
  private constructor(
    private readonly db: Db,
    readonly ca: PlatformCa,
    private readonly options: PlatformPkiOptions,
  ) {}

  static async open(db: Db, box: SecretBox, options: PlatformPkiOptions = {}): Promise<PlatformPki> {
    await ensurePkiIndexes(db);
    const ca = await ensurePlatformCa(db, box, options);
    return new PlatformPki(db, ca, options);
  }

  get rootCertificatePem(): string {
    return this.ca.root.certificatePem;
  }

  get issuingCertificatePem(): string {
    return this.ca.issuing.certificatePem;
  }

  /** Issuing CA then root: the KMIP server's `ca`, so clients that send only their leaf still verify. */
  trustBundlePem(): string {
    return this.ca.issuing.certificatePem + this.ca.root.certificatePem;
  }

  /** From a service's CSR: only its public key is used, after its signature is verified. */
  async issueServiceCertificate(req: { tenantId: string; serviceId: string; csr: string | Buffer; validityDays?: number }): Promise<IssuedCertificate> {
    assertIdentifier(req.tenantId, 'tenant');
    assertIdentifier(req.serviceId, 'service');
    const { publicKey, keyAlgorithm } = verifyCsr(req.csr);
    return this.issueService(req.tenantId, req.serviceId, publicKey, keyAlgorithm, 'csr', req.validityDays);
  }

  /** Convenience path: OpenKCM generates an ECDSA P-256 key and hands it over once (PEM and PKCS#12). */
  async issueServiceKeyPair(req: { tenantId: string; serviceId: string; validityDays?: number }): Promise<IssuedKeyPair> {
    assertIdentifier(req.tenantId, 'tenant');
    assertIdentifier(req.serviceId, 'service');
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issued = await this.issueService(req.tenantId, req.serviceId, publicKey, 'ec-p256', 'generated', req.validityDays);
    return { ...issued, ...this.handOver(privateKey, issued.certificatePem, `${req.tenantId}/${req.serviceId}`) };
  }

  /**
   * Renewal: a new certificate for the identity of an existing, unrevoked service certificate.
   * The old one stays valid until it expires or is revoked, so services can roll over.
   */
  async renewServiceCertificate(req: { serial: string; csr?: string | Buffer; validityDays?: number }): Promise<IssuedCertificate | IssuedKeyPair> {
    const existing = await this.getCertificate(req.serial);
    if (!existing) throw new CertificateNotFoundError('no certificate with that serial');
    if (existing.kind !== 'service' || !existing.tenantId || !existing.serviceId) {
      throw new CertificateStateError('only service certificates are renewed this way');
    }
    if (existing.status === 'revoked') throw new CertificateStateError('a revoked certificate cannot be renewed');
    const identity = { tenantId: existing.tenantId, serviceId: existing.serviceId, validityDays: req.validityDays };
    return req.csr === undefined
      ? this.issueServiceKeyPair(identity)
      : this.issueServiceCertificate({ ...identity, csr: req.csr });
  }

  /** The KMIP server's TLS certificate (serverAuth), always for localhost/127.0.0.1/::1 plus the given names. */
  async issueServerCertificate(req: ServerCertificateRequest = {}): Promise<ServerCertificate> {
    const dnsNames = unique(['localhost', ...(req.dnsNames ?? [])]);
    const ipAddresses = unique(['127.0.0.1', '::1', ...(req.ipAddresses ?? [])]);
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const serial = newSerial();
    const validity = this.validity(req.validityDays ?? this.options.serverValidityDays ?? 90);
    const cert = buildCertificate(
      serverCertificateSpec({
        serial,
        dnsNames,
        ipAddresses,
        publicKey,
        issuerSubject: this.ca.issuing.subject,
        issuerKey: this.ca.issuing.publicKey,
        validity,
      }),
      this.ca.issuing.privateKey,
    );
    const record = await this.record(cert.pem, {
      kind: 'server',
      tenantId: null,
      serviceId: null,
      subjectAltNames: [...dnsNames.map((d) => `DNS:${d}`), ...ipAddresses.map((i) => `IP:${i}`)],
      keyAlgorithm: 'ec-p256',
      keySource: 'generated',
    });
    return {
      serial: record._id,
      notAfter: record.notAfter,
      certificatePem: cert.pem,
      chainPem: cert.pem + this.ca.issuing.certificatePem,
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      trustBundlePem: this.trustBundlePem(),
    };
  }

  revoke(serial: string, reason?: RevocationReason): Promise<boolean> {
    return revokeCertificate(this.db, serial, reason);
  }

  revokeService(tenantId: string, serviceId: string, reason?: RevocationReason): Promise<number> {
    return revokeServiceCertificates(this.db, tenantId, serviceId, reason);
  }

  revokeTenant(tenantId: string, reason?: RevocationReason): Promise<number> {
    return revokeTenantCertificates(this.db, tenantId, reason);
  }

  revokedSerials(since?: Date): Promise<RevokedSerials> {
    return revokedSerials(this.db, since);
  }

  crlPem(): Promise<string> {
    return currentCrlPem(this.db, this.ca.issuing, { validityHours: this.options.crlValidityHours });
  }

  async getCertificate(serial: string): Promise<CertificateRecord | null> {
    return certificatesCollection(this.db).findOne({ _id: normalizeSerial(serial) });
  }

  /** Newest first. */
  async listCertificates(filter: { tenantId: string; serviceId?: string; status?: 'active' | 'revoked' }): Promise<CertificateRecord[]> {
    assertIdentifier(filter.tenantId, 'tenant');
    if (filter.serviceId !== undefined) assertIdentifier(filter.serviceId, 'service');
    const query: Record<string, unknown> = { tenantId: filter.tenantId };
    if (filter.serviceId) query.serviceId = filter.serviceId;
    if (filter.status) query.status = filter.status;
    return certificatesCollection(this.db).find(query, { sort: { issuedAt: -1 } }).toArray();
  }

  private async issueService(
    tenantId: string,
    serviceId: string,
    publicKey: KeyObject,
    keyAlgorithm: string,
    keySource: 'csr' | 'generated',
    validityDays: number | undefined,
  ): Promise<IssuedCertificate> {
    checkKeyPolicy(publicKey);
    const spiffeId = serviceSpiffeId(tenantId, serviceId);
    const cert = buildCertificate(
      serviceCertificateSpec({
        serial: newSerial(),
        tenantId,
        serviceId,
        publicKey,
        issuerSubject: this.ca.issuing.subject,
        issuerKey: this.ca.issuing.publicKey,
        validity: this.validity(validityDays ?? this.options.serviceValidityDays ?? 30),
      }),
      this.ca.issuing.privateKey,
    );
    const record = await this.record(cert.pem, {
      kind: 'service',
      tenantId,
      serviceId,
      subjectAltNames: [`URI:${spiffeId}`],
      keyAlgorithm,
      keySource,
    });
    return {
      serial: record._id,
      tenantId,
      serviceId,
      spiffeId,
      notBefore: record.notBefore,
      notAfter: record.notAfter,
      fingerprint256: record.fingerprint256,
      certificatePem: cert.pem,
      chainPem: cert.pem + this.ca.issuing.certificatePem,
      caPem: this.ca.root.certificatePem,
    };
  }

  private handOver(privateKey: KeyObject, certificatePem: string, friendlyName: string): Pick<IssuedKeyPair, 'privateKeyPem' | 'pkcs12' | 'pkcs12Password'> {
    const pkcs12Password = randomPassword();
    const pkcs12 = buildPkcs12({
      privateKey,
      certificates: [new X509Certificate(certificatePem).raw, this.ca.issuing.der],
      password: pkcs12Password,
      friendlyName,
    });
    return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, pkcs12, pkcs12Password };
  }

  private validity(days: number): { notBefore: Date; notAfter: Date } {
    if (!Number.isFinite(days) || days <= 0 || days > MAX_VALIDITY_DAYS) {
      throw new RangeError(`certificate validity must be between 0 and ${MAX_VALIDITY_DAYS} days`);
    }
    const now = (this.options.now ?? (() => new Date()))().getTime();
    // Never outlive the issuing CA: a chain is only as valid as its shortest link.
    const notAfter = Math.min(now + days * DAY_MS, this.ca.issuing.notAfter.getTime());
    return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(notAfter) };
  }

  private async record(
    certificatePem: string,
    fields: Pick<CertificateRecord, 'kind' | 'tenantId' | 'serviceId' | 'subjectAltNames' | 'keyAlgorithm' | 'keySource'>,
  ): Promise<CertificateRecord> {
    const x509 = new X509Certificate(certificatePem);
    const record: CertificateRecord = {
      _id: normalizeSerial(x509.serialNumber),
      ...fields,
      subject: x509.subject.replace(/\n/g, ', '),
      notBefore: new Date(x509.validFrom),
      notAfter: new Date(x509.validTo),
      fingerprint256: x509.fingerprint256,
      issuerSerial: this.ca.issuing.serial,
      status: 'active',
      issuedAt: (this.options.now ?? (() => new Date()))(),
      certificatePem,
    };
    await certificatesCollection(this.db).insertOne(record);
    return record;
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
