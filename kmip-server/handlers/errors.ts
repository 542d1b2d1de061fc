import { AuditUnavailableError } from '../../lib/audit/writer.js';
import { DestroyedKeyError } from '../../lib/keys/l2-key.js';
import { TenantKeyUnavailable } from '../../lib/keys/types.js';
import { ResultReason } from '../codec/enums.js';
import { ConcurrentModificationError } from '../objects/repository.js';
import { KmipError } from '../protocol/errors.js';

/**
 * The one place that turns domain errors into KMIP Result Reasons. Anything not listed is an
 * internal error: the client sees General Failure with a fixed message (never internals or
 * key material) and the log gets the details.
 */
export function toKmipError(err: unknown): KmipError | undefined {
  if (err instanceof KmipError) return err;
  if (err instanceof TenantKeyUnavailable) {
    if (err.reason === 'unknown-version') return new KmipError(ResultReason.ItemNotFound, 'object not found');
    return new KmipError(ResultReason.PermissionDenied, `tenant key unavailable: ${err.message}`);
  }
  if (err instanceof AuditUnavailableError) {
    return new KmipError(ResultReason.GeneralFailure, 'audit log unavailable: operation refused');
  }
  if (err instanceof DestroyedKeyError || err instanceof ConcurrentModificationError) {
    return new KmipError(ResultReason.GeneralFailure, `${err.message}`);
  }
  return undefined;
}

/** Audit result of a refusal: security refusals are "denied", everything else "failure". */
export function auditResultOf(err: KmipError, crossTenant: boolean): 'failure' | 'denied' {
  if (crossTenant) return 'denied';
  return err.reason === ResultReason.PermissionDenied || err.reason === ResultReason.AuthenticationNotSuccessful ? 'denied' : 'failure';
}
