import { ResultReason } from '../codec/enums.js';
import { V2_0 } from '../codec/version.js';
import type { VersionCode } from '../codec/version.js';

export type ResultReasonCode = (typeof ResultReason)[keyof typeof ResultReason];

/**
 * The one error type KMIP handlers throw on purpose. The dispatcher turns it into a failed
 * batch item with this ResultReason and message; any other error becomes General Failure with
 * a fixed message, so internal details (and key material) never reach the client.
 */
export class KmipError extends Error {
  override readonly name = 'KmipError';
  constructor(
    readonly reason: ResultReasonCode,
    message: string,
  ) {
    super(message);
  }
}

// Shorthands for the reasons handlers use most.
export const itemNotFound = (msg = 'object not found'): KmipError => new KmipError(ResultReason.ItemNotFound, msg);
export const missingData = (msg: string): KmipError => new KmipError(ResultReason.MissingData, msg);
export const invalidField = (msg: string): KmipError => new KmipError(ResultReason.InvalidField, msg);
export const invalidMessage = (msg: string): KmipError => new KmipError(ResultReason.InvalidMessage, msg);
export const operationNotSupported = (msg: string): KmipError => new KmipError(ResultReason.OperationNotSupported, msg);
export const featureNotSupported = (msg: string): KmipError => new KmipError(ResultReason.FeatureNotSupported, msg);
export const permissionDenied = (msg: string): KmipError => new KmipError(ResultReason.PermissionDenied, msg);
export const illegalOperation = (msg: string): KmipError => new KmipError(ResultReason.IllegalOperation, msg);
export const cryptographicFailure = (msg: string): KmipError => new KmipError(ResultReason.CryptographicFailure, msg);

/** Last Result Reason value defined by KMIP 1.4 (Object Already Exists); later ones are 2.x. */
const LAST_1X_REASON = 0x18;

/**
 * The reason to put on the wire for a client speaking `version`: reasons KMIP 2.x introduced
 * (e.g. Wrong Key Lifecycle State) become General Failure for a 1.x client, whose parser may
 * reject unknown values.
 */
export function resultReasonFor(reason: number, version: VersionCode): number {
  if (version < V2_0 && reason > LAST_1X_REASON && reason !== ResultReason.GeneralFailure) return ResultReason.GeneralFailure;
  return reason;
}
