import { OID } from './der.js';
import { isValidIdentifier, normalizeSerial, parseServiceSpiffeId } from './names.js';

/**
 * Who is on the other end of a KMIP connection. Called after the TLS layer has verified the
 * chain to the platform CA; this only reads the identity and refuses anything ambiguous.
 * A service certificate names its identity three times (URI SAN, O, CN) and all must agree.
 */
export interface PeerIdentity {
  tenantId: string;
  serviceId: string;
  /** Upper-case hex, comparable with `revokedSerials()`. */
  serial: string;
}

export type PeerIdentityRefusal =
  | 'no-certificate'
  | 'no-spiffe-id'
  | 'ambiguous-san'
  | 'subject-mismatch'
  | 'invalid-identifier'
  | 'not-client-certificate'
  | 'bad-serial';

export class PeerIdentityError extends Error {
  override readonly name = 'PeerIdentityError';
  constructor(
    readonly reason: PeerIdentityRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** The parts of Node's `tls.PeerCertificate` this reads (so tests and callers need not fake the rest). */
export interface PeerCertificateLike {
  subject?: Record<string, string | string[] | undefined> | null;
  subjectaltname?: string;
  serialNumber?: string;
  ext_key_usage?: string[];
}

export function identityFromPeerCertificate(cert: PeerCertificateLike | null | undefined): PeerIdentity {
  // getPeerCertificate() returns {} when the peer sent none.
  if (!cert || typeof cert !== 'object' || !cert.serialNumber) {
    throw new PeerIdentityError('no-certificate', 'client presented no certificate');
  }
  const sans = splitSubjectAltName(cert.subjectaltname);
  const uris = sans.filter((s) => s.startsWith('URI:'));
  if (uris.length === 0) throw new PeerIdentityError('no-spiffe-id', 'client certificate has no URI subject alternative name');
  if (sans.length !== 1) {
    throw new PeerIdentityError('ambiguous-san', 'client certificate must carry exactly one subject alternative name, its SPIFFE id');
  }
  const parsed = parseServiceSpiffeId(uris[0]!.slice(4));
  if (!parsed) throw new PeerIdentityError('invalid-identifier', 'client certificate URI is not an OpenKCM service id');

  const o = cert.subject?.O;
  const cn = cert.subject?.CN;
  if (typeof o !== 'string' || typeof cn !== 'string') {
    throw new PeerIdentityError('subject-mismatch', 'client certificate subject must have exactly one O and one CN');
  }
  if (!isValidIdentifier(o) || !isValidIdentifier(cn)) {
    throw new PeerIdentityError('invalid-identifier', 'client certificate subject O/CN are not valid identifiers');
  }
  if (o !== parsed.tenantId || cn !== parsed.serviceId) {
    throw new PeerIdentityError('subject-mismatch', 'client certificate subject does not match its SPIFFE id');
  }
  if (!Array.isArray(cert.ext_key_usage) || !cert.ext_key_usage.includes(OID.clientAuth)) {
    throw new PeerIdentityError('not-client-certificate', 'certificate is not issued for client authentication');
  }
  let serial: string;
  try {
    serial = normalizeSerial(cert.serialNumber);
  } catch {
    throw new PeerIdentityError('bad-serial', 'client certificate serial number is unreadable');
  }
  return { tenantId: parsed.tenantId, serviceId: parsed.serviceId, serial };
}

/**
 * Node renders SANs as "URI:a, DNS:b"; since CVE-2021-44532 it quotes values that contain
 * separators (`URI:"…"`), and a quoted value never matches the strict SPIFFE pattern.
 */
function splitSubjectAltName(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(', ').filter((s) => s.length > 0);
}
