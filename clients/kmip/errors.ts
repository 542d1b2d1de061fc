import { enumName } from '../../kmip-server/codec/names.js';
import { Tag } from '../../kmip-server/codec/tags.js';

/** The server answered the operation with a failure. */
export class KmipResultError extends Error {
  override readonly name = 'KmipResultError';
  constructor(
    readonly operation: number | undefined,
    readonly resultStatus: number,
    readonly resultReason: number | undefined,
    readonly resultMessage: string | undefined,
  ) {
    const op = operation === undefined ? 'operation' : (enumName(Tag.Operation, operation) ?? `operation ${operation}`);
    const reason = resultReason === undefined ? 'no reason' : (enumName(Tag.ResultReason, resultReason) ?? `reason ${resultReason}`);
    const status = enumName(Tag.ResultStatus, resultStatus) ?? String(resultStatus);
    super(`KMIP ${op} ${status}: ${reason}${resultMessage ? ` (${resultMessage})` : ''}`);
  }
}

/** The connection failed or closed before the response arrived; the request may or may not have run. */
export class KmipConnectionError extends Error {
  override readonly name: string = 'KmipConnectionError';
}

/** No response within the request timeout; the connection was closed to keep responses aligned. */
export class KmipTimeoutError extends KmipConnectionError {
  override readonly name = 'KmipTimeoutError';
}

/** The response did not have the shape the operation expects. */
export class KmipProtocolError extends Error {
  override readonly name = 'KmipProtocolError';
}
