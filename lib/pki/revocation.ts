import type { Db } from 'mongodb';
import type { IssuingCa } from './ca.js';
import { authorityKeyIdentifier, extensionNode } from './certificate-builder.js';
import {
  type Asn1,
  OID,
  algorithmIdentifier,
  asn1,
  explicit,
  seq,
  signStructure,
  signingAlgorithmFor,
  smallInt,
  time,
  toPem,
  unsignedInt,
} from './der.js';
import { assertIdentifier, normalizeSerial } from './names.js';
import { REVOCATION_REASON_CODES, type RevocationReason } from './revocation-reasons.js';
import { type CounterDocument, type CertificateRecord, certificatesCollection, pkiCollection } from './store.js';

/**
 * Revocation is a status change on the certificate record (final: no hold/unhold). The KMIP
 * server keeps a set of revoked serials in memory, filled by `revokedSerials()` at start and
 * topped up by polling with the returned `asOf`; a signed CRL is built for export.
 *
 * Why not Node's `tls.createServer({ crl })`: Node turns on CRL checking for the whole chain
 * (X509_V_FLAG_CRL_CHECK_ALL), so with only the issuing CA's CRL every client fails with
 * UNABLE_TO_GET_CRL. Checking the leaf serial against the set after the handshake is cheaper
 * anyway (no CRL re-parse on every poll).
 */
export async function revokeCertificate(db: Db, serial: string, reason: RevocationReason = 'unspecified', now = new Date()): Promise<boolean> {
  const result = await certificatesCollection(db).updateOne(
    { _id: normalizeSerial(serial), status: 'active' },
    { $set: { status: 'revoked', revokedAt: now, revocationReason: reason } },
  );
  return result.modifiedCount === 1;
}

export async function revokeServiceCertificates(
  db: Db,
  tenantId: string,
  serviceId: string,
  reason: RevocationReason = 'privilegeWithdrawn',
  now = new Date(),
): Promise<number> {
  assertIdentifier(tenantId, 'tenant');
  assertIdentifier(serviceId, 'service');
  const result = await certificatesCollection(db).updateMany(
    { tenantId, serviceId, status: 'active' },
    { $set: { status: 'revoked', revokedAt: now, revocationReason: reason } },
  );
  return result.modifiedCount;
}

/** Offboarding: every certificate the tenant ever got. */
export async function revokeTenantCertificates(
  db: Db,
  tenantId: string,
  reason: RevocationReason = 'cessationOfOperation',
  now = new Date(),
): Promise<number> {
  assertIdentifier(tenantId, 'tenant');
  const result = await certificatesCollection(db).updateMany(
    { tenantId, status: 'active' },
    { $set: { status: 'revoked', revokedAt: now, revocationReason: reason } },
  );
  return result.modifiedCount;
}

/**
 * Writers stamp `revokedAt` from their own clock before the write lands, so a poll can miss a
 * revocation stamped just before its own `asOf`. Each poll therefore looks back this far;
 * the result is meant to be added to a set, so repeats are harmless.
 */
export const REVOCATION_POLL_OVERLAP_MS = 2 * 60_000;

export interface RevokedSerials {
  serials: string[];
  /** Pass as `since` on the next poll. */
  asOf: Date;
}

/**
 * Revoked serials of certificates that have not yet expired (expired ones fail TLS anyway).
 * Without `since`: all of them. With `since`: those revoked since then (minus the overlap).
 */
export async function revokedSerials(db: Db, since?: Date, now = new Date()): Promise<RevokedSerials> {
  const filter: Record<string, unknown> = { status: 'revoked', notAfter: { $gt: now } };
  if (since) filter.revokedAt = { $gte: new Date(since.getTime() - REVOCATION_POLL_OVERLAP_MS) };
  const docs = await certificatesCollection(db)
    .find(filter, { projection: { _id: 1 } })
    .toArray();
  return { serials: docs.map((d) => d._id), asOf: now };
}

export interface CrlOptions {
  /** How long relying parties may use this CRL before fetching a new one. */
  validityHours?: number;
  now?: Date;
}

/** A CRL v2 over every unexpired revoked certificate, signed by the issuing CA, with a fresh CRL number. */
export async function currentCrlPem(db: Db, ca: IssuingCa, options: CrlOptions = {}): Promise<string> {
  const now = options.now ?? new Date();
  const revoked = await certificatesCollection(db)
    .find(
      { status: 'revoked', notAfter: { $gt: now } },
      { projection: { _id: 1, revokedAt: 1, revocationReason: 1 }, sort: { revokedAt: 1 } },
    )
    .toArray();
  const counter = await pkiCollection(db).findOneAndUpdate(
    { _id: 'crl-number' },
    { $inc: { value: 1 } },
    { upsert: true, returnDocument: 'after' },
  );
  const crlNumber = (counter as CounterDocument | null)?.value ?? 1;
  return buildCrl(ca, revoked, crlNumber, now, new Date(now.getTime() + (options.validityHours ?? 24) * 3_600_000));
}

export function buildCrl(
  ca: IssuingCa,
  revoked: Array<Pick<CertificateRecord, '_id' | 'revokedAt' | 'revocationReason'>>,
  crlNumber: number,
  thisUpdate: Date,
  nextUpdate: Date,
): string {
  const entries = revoked.map((r) => {
    const fields: Asn1[] = [unsignedInt(Buffer.from(evenHex(r._id), 'hex')), time(r.revokedAt ?? thisUpdate)];
    const code = REVOCATION_REASON_CODES[r.revocationReason ?? 'unspecified'];
    // RFC 5280 §5.3.1: the reasonCode extension is omitted rather than sent as "unspecified".
    if (code !== 0) {
      const reason = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.ENUMERATED, false, String.fromCharCode(code));
      fields.push(seq([extensionNode({ oid: OID.cRLReason, critical: false, value: reason })]));
    }
    return seq(fields);
  });
  const tbs: Asn1[] = [
    smallInt(1), // v2
    algorithmIdentifier(signingAlgorithmFor(ca.privateKey)),
    ca.subject,
    time(thisUpdate),
    time(nextUpdate),
  ];
  // An empty revokedCertificates list must be absent, not an empty SEQUENCE.
  if (entries.length > 0) tbs.push(seq(entries));
  tbs.push(
    explicit(
      0,
      seq([
        extensionNode(authorityKeyIdentifier(ca.publicKey)),
        extensionNode({ oid: OID.cRLNumber, critical: false, value: smallInt(crlNumber) }),
      ]),
    ),
  );
  return toPem('X509 CRL', signStructure(seq(tbs), ca.privateKey));
}

function evenHex(hex: string): string {
  return hex.length % 2 === 1 ? `0${hex}` : hex;
}
