import { randomBytes, type KeyObject } from 'node:crypto';
import {
  type Asn1,
  type DistinguishedName,
  OID,
  bits,
  bool,
  explicit,
  ia5,
  implicitPrimitive,
  ipBytes,
  keyIdentifier,
  name,
  octets,
  oid,
  seq,
  signStructure,
  signingAlgorithmFor,
  algorithmIdentifier,
  smallInt,
  spkiNode,
  time,
  toDer,
  toPem,
  unsignedInt,
} from './der.js';

/**
 * X.509 v3 certificates assembled from ASN.1 and signed with Node's crypto, so subject and
 * issuer keys may be ECDSA (P-256/P-384) or RSA. One function per extension keeps the
 * profile readable; the profiles themselves (CA, service, server) live in profiles.ts.
 */
export interface Extension {
  oid: string;
  critical: boolean;
  /** DER of the extension's value (what goes inside extnValue's OCTET STRING). */
  value: Asn1;
}

export interface CertificateSpec {
  /** Positive serial, at most 20 bytes; see `newSerial`. */
  serial: Buffer;
  /** The issuer's Name exactly as it appears in the issuer certificate's subject (or the subject, for self-signed). */
  issuer: Asn1 | DistinguishedName;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKey: KeyObject;
  extensions: Extension[];
}

export interface BuiltCertificate {
  der: Buffer;
  pem: string;
}

export function buildCertificate(spec: CertificateSpec, issuerKey: KeyObject): BuiltCertificate {
  if (spec.serial.length === 0 || spec.serial.length > 20) throw new RangeError('serial must be 1..20 bytes');
  if (spec.notAfter.getTime() <= spec.notBefore.getTime()) throw new RangeError('notAfter must follow notBefore');
  const issuer = isAsn1(spec.issuer) ? spec.issuer : name(spec.issuer);
  const tbs = seq([
    explicit(0, smallInt(2)), // v3
    unsignedInt(spec.serial),
    algorithmIdentifier(signingAlgorithmFor(issuerKey)),
    issuer,
    seq([time(spec.notBefore), time(spec.notAfter)]),
    name(spec.subject),
    spkiNode(spec.subjectPublicKey),
    explicit(3, seq(spec.extensions.map(extensionNode))),
  ]);
  const der = signStructure(tbs, issuerKey);
  return { der, pem: toPem('CERTIFICATE', der) };
}

/**
 * 16 random bytes with the top bit cleared (positive) and the top nibble non-zero, so the
 * DER INTEGER has no leading zero and the hex form is always 32 characters — the same text
 * OpenSSL and Node print, which makes serials comparable as strings.
 */
export function newSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x10;
  return serial;
}

export function extensionNode(ext: Extension): Asn1 {
  const parts = [oid(ext.oid)];
  if (ext.critical) parts.push(bool(true)); // DEFAULT FALSE is omitted in DER
  parts.push(octets(toDer(ext.value)));
  return seq(parts);
}

export function basicConstraints(ca: boolean, pathLength?: number): Extension {
  const fields: Asn1[] = [];
  if (ca) {
    fields.push(bool(true));
    if (pathLength !== undefined) fields.push(smallInt(pathLength));
  }
  return { oid: OID.basicConstraints, critical: true, value: seq(fields) };
}

const KEY_USAGE_BITS = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsage = keyof typeof KEY_USAGE_BITS;

/** KeyUsage as a DER BIT STRING: trailing zero bits are dropped and counted as "unused". */
export function keyUsage(usages: KeyUsage[]): Extension {
  let mask = 0;
  for (const u of usages) mask |= 0x80 >> KEY_USAGE_BITS[u];
  if (mask === 0) throw new RangeError('key usage must name at least one usage');
  let unused = 0;
  while (((mask >> unused) & 1) === 0) unused++;
  return { oid: OID.keyUsage, critical: true, value: bits(Buffer.from([mask]), unused) };
}

export function extendedKeyUsage(purposes: string[]): Extension {
  return { oid: OID.extKeyUsage, critical: false, value: seq(purposes.map(oid)) };
}

export interface SubjectAltNames {
  uris?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
}

export function subjectAltName(names: SubjectAltNames): Extension {
  const general: Asn1[] = [
    ...(names.dnsNames ?? []).map((d) => implicitPrimitive(2, ascii(d, 'DNS name'))),
    ...(names.uris ?? []).map((u) => implicitPrimitive(6, ascii(u, 'URI'))),
    ...(names.ipAddresses ?? []).map((ip) => implicitPrimitive(7, ipBytes(ip).toString('binary'))),
  ];
  if (general.length === 0) throw new RangeError('subjectAltName needs at least one name');
  return { oid: OID.subjectAltName, critical: false, value: seq(general) };
}

export function subjectKeyIdentifier(publicKey: KeyObject): Extension {
  return { oid: OID.subjectKeyIdentifier, critical: false, value: octets(keyIdentifier(publicKey)) };
}

export function authorityKeyIdentifier(issuerPublicKey: KeyObject): Extension {
  const keyId = keyIdentifier(issuerPublicKey).toString('binary');
  return { oid: OID.authorityKeyIdentifier, critical: false, value: seq([implicitPrimitive(0, keyId)]) };
}

function ascii(text: string, what: string): string {
  // IA5String: 7-bit only; anything else would be mis-encoded rather than rejected by peers.
  if (!/^[\x21-\x7e]+$/.test(text)) throw new RangeError(`${what} must be printable ASCII without spaces`);
  return ia5(text).value as string;
}

function isAsn1(x: Asn1 | DistinguishedName): x is Asn1 {
  return typeof (x as Asn1).tagClass === 'number';
}
