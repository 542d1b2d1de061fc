import type { X509Certificate } from 'node:crypto';
import type { PeerCertificateLike } from '../../lib/pki/identity.js';
import { identityFromPeerCertificate } from '../../lib/pki/identity.js';
import { serviceSpiffeId } from '../../lib/pki/names.js';
import type { PeerIdentity } from '../handlers/context.js';

/** What the listener needs from a client certificate, read once. */
export interface CertificateFacts {
  readonly peer: Readonly<PeerIdentity>;
  /** Validity window, ms since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
}

/** Enough for every service of a large node; the oldest entry goes first. */
const DEFAULT_MAX_ENTRIES = 4_096;

/**
 * Client certificates already read, by SHA-256 fingerprint of their DER: libmongocrypt opens a
 * connection per request, and reading subject, SAN, serial, key usage and validity through a
 * fresh X509Certificate's getters was the largest piece of JavaScript per connection (about
 * 30 µs in place). Only the byte-identical certificate hits. Refusals are not kept: they are
 * rare, and each is re-read so its log line says why.
 *
 * Nothing here decides trust: OpenSSL verified the chain during the handshake, and the caller
 * still checks validity and revocation on every connection.
 */
export class PeerCertificates {
  readonly #known = new Map<string, CertificateFacts>();

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  /** The certificate's identity and validity; throws PeerIdentityError if it names no valid service. */
  read(cert: X509Certificate): CertificateFacts {
    const key = cert.fingerprint256;
    const known = this.#known.get(key);
    if (known) return known;
    const id = identityFromPeerCertificate(certificateLike(cert));
    const facts: CertificateFacts = Object.freeze({
      peer: Object.freeze({ ...id, actorId: serviceSpiffeId(id.tenantId, id.serviceId) }),
      notBefore: Date.parse(cert.validFrom),
      notAfter: Date.parse(cert.validTo),
    });
    if (this.#known.size >= this.maxEntries) this.#known.delete(this.#known.keys().next().value!);
    this.#known.set(key, facts);
    return facts;
  }

  get size(): number {
    return this.#known.size;
  }
}

/**
 * The fields identityFromPeerCertificate reads, from the peer's X509Certificate. Cheaper than
 * `getPeerCertificate()`, which builds every field and three fingerprints on each handshake.
 * Subject lines are `KEY=value` (OpenSSL escapes separators); a repeated key becomes an array,
 * which the identity check refuses as ambiguous.
 */
export function certificateLike(x: X509Certificate): PeerCertificateLike {
  const subject: Record<string, string | string[]> = {};
  for (const line of x.subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1);
    const prev = subject[k];
    subject[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return { subject, subjectaltname: x.subjectAltName, serialNumber: x.serialNumber, ext_key_usage: x.keyUsage };
}
