import type { Collection, Db } from 'mongodb';
import type { RevocationReason } from './revocation-reasons.js';

/**
 * The PKI's collections. `pki` holds the CA records (fixed ids, so concurrent first starts
 * collide on `_id` and exactly one wins) and small counters; `certificates` records every
 * certificate issued, keyed by serial.
 */
export const PKI_COLLECTION = 'pki';
export const CERTIFICATES_COLLECTION = 'certificates';

export type CaId = 'root-ca' | 'issuing-ca';

export interface CaDocument {
  _id: CaId;
  certificatePem: string;
  /** PKCS#8 DER sealed by SecretBox; AAD `pki:ca:<id>:<fingerprint256>` binds it to this certificate. */
  sealedPrivateKey: string;
  serial: string;
  fingerprint256: string;
  keyAlgorithm: string;
  notBefore: Date;
  notAfter: Date;
  createdAt: Date;
}

export interface CounterDocument {
  _id: 'crl-number';
  value: number;
}

export type CertificateKind = 'service' | 'server';
export type CertificateStatus = 'active' | 'revoked';

export interface CertificateRecord {
  /** Serial in upper-case hex (the form Node's TLS and OpenSSL print). */
  _id: string;
  kind: CertificateKind;
  tenantId: string | null;
  serviceId: string | null;
  subject: string;
  /** URI SAN for service certificates; DNS/IP names for server certificates. */
  subjectAltNames: string[];
  notBefore: Date;
  notAfter: Date;
  fingerprint256: string;
  keyAlgorithm: string;
  keySource: 'csr' | 'generated';
  issuerSerial: string;
  status: CertificateStatus;
  issuedAt: Date;
  revokedAt?: Date;
  revocationReason?: RevocationReason;
  certificatePem: string;
}

export function pkiCollection(db: Db): Collection<CaDocument | CounterDocument> {
  return db.collection<CaDocument | CounterDocument>(PKI_COLLECTION);
}

export function certificatesCollection(db: Db): Collection<CertificateRecord> {
  return db.collection<CertificateRecord>(CERTIFICATES_COLLECTION);
}

export async function ensurePkiIndexes(db: Db): Promise<void> {
  const certs = certificatesCollection(db);
  await certs.createIndex({ tenantId: 1, serviceId: 1, issuedAt: -1 }, { name: 'tenant_service_issued' });
  await certs.createIndex({ status: 1, revokedAt: 1 }, { name: 'status_revokedAt' });
}
