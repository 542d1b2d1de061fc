import type { KeyObject } from 'node:crypto';
import {
  type CertificateSpec,
  authorityKeyIdentifier,
  basicConstraints,
  extendedKeyUsage,
  keyUsage,
  subjectAltName,
  subjectKeyIdentifier,
} from './certificate-builder.js';
import { type Asn1, type DistinguishedName, OID } from './der.js';
import { serviceSpiffeId } from './names.js';

/**
 * The certificate profiles of the platform PKI. Subjects and SANs always come from here,
 * never from a CSR: the caller's authenticated request decides who a certificate names.
 */
export const ROOT_CA_SUBJECT: DistinguishedName = { O: 'OpenKCM', CN: 'OpenKCM Platform Root CA' };
export const ISSUING_CA_SUBJECT: DistinguishedName = { O: 'OpenKCM', CN: 'OpenKCM Issuing CA' };
export const KMIP_SERVER_SUBJECT: DistinguishedName = { O: 'OpenKCM', CN: 'OpenKCM KMIP Server' };

/** Tolerates clients whose clocks run a little behind ours. */
export const BACKDATE_MS = 5 * 60_000;

interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export function rootCaSpec(serial: Buffer, key: KeyObject, validity: Validity): CertificateSpec {
  return {
    serial,
    issuer: ROOT_CA_SUBJECT,
    subject: ROOT_CA_SUBJECT,
    ...validity,
    subjectPublicKey: key,
    extensions: [basicConstraints(true), keyUsage(['keyCertSign', 'cRLSign']), subjectKeyIdentifier(key)],
  };
}

export function issuingCaSpec(
  serial: Buffer,
  key: KeyObject,
  rootSubject: Asn1,
  rootKey: KeyObject,
  validity: Validity,
): CertificateSpec {
  return {
    serial,
    issuer: rootSubject,
    subject: ISSUING_CA_SUBJECT,
    ...validity,
    subjectPublicKey: key,
    extensions: [
      basicConstraints(true, 0),
      keyUsage(['keyCertSign', 'cRLSign']),
      subjectKeyIdentifier(key),
      authorityKeyIdentifier(rootKey),
    ],
  };
}

export function serviceCertificateSpec(args: {
  serial: Buffer;
  tenantId: string;
  serviceId: string;
  publicKey: KeyObject;
  issuerSubject: Asn1;
  issuerKey: KeyObject;
  validity: Validity;
}): CertificateSpec {
  const uri = serviceSpiffeId(args.tenantId, args.serviceId);
  return {
    serial: args.serial,
    issuer: args.issuerSubject,
    subject: { O: args.tenantId, CN: args.serviceId },
    ...args.validity,
    subjectPublicKey: args.publicKey,
    extensions: [
      basicConstraints(false),
      keyUsage(leafKeyUsage(args.publicKey)),
      extendedKeyUsage([OID.clientAuth]),
      subjectAltName({ uris: [uri] }),
      subjectKeyIdentifier(args.publicKey),
      authorityKeyIdentifier(args.issuerKey),
    ],
  };
}

export function serverCertificateSpec(args: {
  serial: Buffer;
  dnsNames: string[];
  ipAddresses: string[];
  publicKey: KeyObject;
  issuerSubject: Asn1;
  issuerKey: KeyObject;
  validity: Validity;
}): CertificateSpec {
  return {
    serial: args.serial,
    issuer: args.issuerSubject,
    subject: KMIP_SERVER_SUBJECT,
    ...args.validity,
    subjectPublicKey: args.publicKey,
    extensions: [
      basicConstraints(false),
      keyUsage(leafKeyUsage(args.publicKey)),
      extendedKeyUsage([OID.serverAuth]),
      subjectAltName({ dnsNames: args.dnsNames, ipAddresses: args.ipAddresses }),
      subjectKeyIdentifier(args.publicKey),
      authorityKeyIdentifier(args.issuerKey),
    ],
  };
}

/** RSA keys may also do TLS 1.2 RSA key transport; EC keys only sign. */
function leafKeyUsage(key: KeyObject): Array<'digitalSignature' | 'keyEncipherment'> {
  return key.asymmetricKeyType === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
}
