export { PlatformPki } from './platform-pki.js';
export type {
  IssuedCertificate,
  IssuedKeyPair,
  PlatformPkiOptions,
  ServerCertificate,
  ServerCertificateRequest,
} from './platform-pki.js';
export { ensurePlatformCa } from './ca.js';
export type { CaOptions, IssuingCa, LoadedCa, PlatformCa } from './ca.js';
export { createCsr, verifyCsr, CsrError } from './csr.js';
export type { CsrErrorCode, VerifiedCsr } from './csr.js';
export { buildPkcs12, randomPassword } from './pkcs12.js';
export { identityFromPeerCertificate, PeerIdentityError } from './identity.js';
export type { PeerCertificateLike, PeerIdentity, PeerIdentityRefusal } from './identity.js';
export {
  IDENTIFIER_PATTERN,
  InvalidIdentityError,
  isValidIdentifier,
  normalizeSerial,
  parseServiceSpiffeId,
  serviceSpiffeId,
} from './names.js';
export {
  REVOCATION_POLL_OVERLAP_MS,
  buildCrl,
  currentCrlPem,
  revokeCertificate,
  revokeServiceCertificates,
  revokeTenantCertificates,
  revokedSerials,
} from './revocation.js';
export type { RevokedSerials } from './revocation.js';
export { REVOCATION_REASON_CODES, isRevocationReason } from './revocation-reasons.js';
export type { RevocationReason } from './revocation-reasons.js';
export { CertificateNotFoundError, CertificateStateError, PkiError, PkiIntegrityError } from './errors.js';
export { CERTIFICATES_COLLECTION, PKI_COLLECTION, ensurePkiIndexes } from './store.js';
export type { CertificateRecord, CertificateStatus, CaDocument } from './store.js';
