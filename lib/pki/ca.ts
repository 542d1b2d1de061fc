import { X509Certificate, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Db } from 'mongodb';
import { isDuplicateKeyError } from '../store/mongo.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { buildCertificate, newSerial } from './certificate-builder.js';
import { type Asn1, certificateSubject } from './der.js';
import { PkiIntegrityError } from './errors.js';
import { normalizeSerial } from './names.js';
import { BACKDATE_MS, issuingCaSpec, rootCaSpec } from './profiles.js';
import { type CaDocument, type CaId, pkiCollection } from './store.js';

/**
 * The platform root CA and its issuing CA, created on first start. Creation is idempotent and
 * race-safe without transactions: each CA is inserted under a fixed `_id`; a process that
 * loses the insert race discards its own key and uses the stored one. The root key is opened
 * only to sign the issuing CA; the issuing key stays in memory as a KeyObject (inside
 * OpenSSL, not on the JS heap).
 *
 * Keys: root ECDSA P-384 (long-lived, signs once), issuing ECDSA P-256 (signs every leaf and
 * CRL; its signature is verified in every TLS handshake, where P-256 is ~3× cheaper than P-384).
 */
export interface CaOptions {
  rootValidityDays?: number;
  issuingValidityDays?: number;
  now?: () => Date;
}

export interface LoadedCa {
  id: CaId;
  certificate: X509Certificate;
  certificatePem: string;
  der: Buffer;
  /** Subject Name node, used verbatim as the issuer of what this CA signs. */
  subject: Asn1;
  publicKey: KeyObject;
  serial: string;
  notAfter: Date;
}

export interface IssuingCa extends LoadedCa {
  privateKey: KeyObject;
}

export interface PlatformCa {
  root: LoadedCa;
  issuing: IssuingCa;
}

const DAY_MS = 86_400_000;

export function caKeyAad(id: CaId, fingerprint256: string): string {
  return `pki:ca:${id}:${fingerprint256}`;
}

export async function ensurePlatformCa(db: Db, box: SecretBox, options: CaOptions = {}): Promise<PlatformCa> {
  const now = options.now ?? (() => new Date());
  const rootDoc = await ensureCaDocument(db, 'root-ca', () =>
    createRootDocument(box, now(), options.rootValidityDays ?? 7300),
  );
  const root = loadCa(rootDoc);
  if (!root.certificate.verify(root.publicKey)) throw new PkiIntegrityError('stored root CA certificate is not validly self-signed');

  const issuingDoc = await ensureCaDocument(db, 'issuing-ca', () =>
    createIssuingDocument(box, rootDoc, root, now(), options.issuingValidityDays ?? 1825),
  );
  const issuing = loadCa(issuingDoc);
  if (!issuing.certificate.verify(root.publicKey) || !issuing.certificate.checkIssued(root.certificate)) {
    throw new PkiIntegrityError('stored issuing CA certificate is not signed by the stored root CA');
  }
  const privateKey = openCaKey(box, issuingDoc);
  if (!issuing.certificate.checkPrivateKey(privateKey)) {
    throw new PkiIntegrityError('stored issuing CA key does not match its certificate');
  }
  return { root, issuing: { ...issuing, privateKey } };
}

async function ensureCaDocument(db: Db, id: CaId, create: () => CaDocument): Promise<CaDocument> {
  const pki = pkiCollection(db);
  const existing = (await pki.findOne({ _id: id })) as CaDocument | null;
  if (existing) return existing;
  const doc = create();
  try {
    await pki.insertOne(doc);
    return doc;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    // Lost the race: another process created this CA between our read and our insert.
    const winner = (await pki.findOne({ _id: id })) as CaDocument | null;
    if (!winner) throw new PkiIntegrityError(`${id} vanished after a duplicate-key insert`);
    return winner;
  }
}

function createRootDocument(box: SecretBox, now: Date, validityDays: number): CaDocument {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const cert = buildCertificate(
    rootCaSpec(newSerial(), publicKey, {
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + validityDays * DAY_MS),
    }),
    privateKey,
  );
  return sealedDocument(box, 'root-ca', cert.pem, privateKey, 'ec-p384', now);
}

function createIssuingDocument(box: SecretBox, rootDoc: CaDocument, root: LoadedCa, now: Date, validityDays: number): CaDocument {
  const rootKey = openCaKey(box, rootDoc);
  if (!root.certificate.checkPrivateKey(rootKey)) throw new PkiIntegrityError('stored root CA key does not match its certificate');
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notAfter = Math.min(now.getTime() + validityDays * DAY_MS, root.notAfter.getTime());
  const cert = buildCertificate(
    issuingCaSpec(newSerial(), publicKey, root.subject, root.publicKey, {
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(notAfter),
    }),
    rootKey,
  );
  return sealedDocument(box, 'issuing-ca', cert.pem, privateKey, 'ec-p256', now);
}

function sealedDocument(
  box: SecretBox,
  id: CaId,
  certificatePem: string,
  privateKey: KeyObject,
  keyAlgorithm: string,
  now: Date,
): CaDocument {
  const x509 = new X509Certificate(certificatePem);
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  try {
    return {
      _id: id,
      certificatePem,
      sealedPrivateKey: box.seal(pkcs8, caKeyAad(id, x509.fingerprint256)),
      serial: normalizeSerial(x509.serialNumber),
      fingerprint256: x509.fingerprint256,
      keyAlgorithm,
      notBefore: new Date(x509.validFrom),
      notAfter: new Date(x509.validTo),
      createdAt: now,
    };
  } finally {
    pkcs8.fill(0);
  }
}

function loadCa(doc: CaDocument): LoadedCa {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(doc.certificatePem);
  } catch {
    throw new PkiIntegrityError(`stored ${doc._id} certificate cannot be parsed`);
  }
  if (certificate.fingerprint256 !== doc.fingerprint256) {
    throw new PkiIntegrityError(`stored ${doc._id} certificate does not match its recorded fingerprint`);
  }
  const der = certificate.raw;
  return {
    id: doc._id,
    certificate,
    certificatePem: doc.certificatePem,
    der,
    subject: certificateSubject(der),
    publicKey: certificate.publicKey,
    serial: normalizeSerial(certificate.serialNumber),
    notAfter: new Date(certificate.validTo),
  };
}

function openCaKey(box: SecretBox, doc: CaDocument): KeyObject {
  let pkcs8: Buffer;
  try {
    // The AAD names the certificate's fingerprint: a sealed key moved onto another CA record does not open.
    pkcs8 = box.open(doc.sealedPrivateKey, caKeyAad(doc._id, doc.fingerprint256));
  } catch (error) {
    throw new PkiIntegrityError(`cannot open the ${doc._id} private key (wrong platform key or tampered record)`, {
      cause: error,
    });
  }
  try {
    return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } finally {
    pkcs8.fill(0);
  }
}
