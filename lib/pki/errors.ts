/** Typed failures of the platform PKI; the API and workflows map them in one place. */
export class PkiError extends Error {
  override readonly name: string = 'PkiError';
}

/** The stored CA material does not fit together (wrong platform key, tampered record, mismatched key). Fail closed. */
export class PkiIntegrityError extends PkiError {
  override readonly name = 'PkiIntegrityError';
}

export class CertificateNotFoundError extends PkiError {
  override readonly name = 'CertificateNotFoundError';
}

/** The certificate exists but may not be renewed (revoked, or not a service certificate). */
export class CertificateStateError extends PkiError {
  override readonly name = 'CertificateStateError';
}
