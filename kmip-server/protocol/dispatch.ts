import { encodeTtlv } from '../codec/encoder.js';
import { BatchErrorContinuationOption, Operation, ResultReason, ResultStatus } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem, TtlvStructure } from '../codec/types.js';
import { ItemType, struct } from '../codec/types.js';
import type { ProtocolVersion, VersionCode } from '../codec/version.js';
import { V2_0, formatVersion, nearestKnownVersion, versionCode } from '../codec/version.js';
import { KmipError, resultReasonFor } from './errors.js';
import type { RequestBatchItem, RequestMessage, ResponseBatchItem, ResponseMessage } from './messages.js';
import { responseMessageToTtlv } from './messages.js';
import { Fields } from './payload.js';
import { filterForVersion } from './version-filter.js';

/** What a handler knows about the batch item it serves. */
export interface BatchContext {
  readonly version: ProtocolVersion;
  readonly versionCode: VersionCode;
  readonly operation: number;
  /** Index of the item in its batch. */
  readonly index: number;
  /**
   * The ID Placeholder: the Unique Identifier produced by an earlier item of this batch (Create,
   * Register, Locate…). A handler may set it; the dispatcher also sets it from any response
   * payload that carries a UniqueIdentifier.
   */
  idPlaceholder: string | undefined;
}

/**
 * A KMIP operation handler: request payload in, response payload children out. It throws
 * KmipError for every refusal it means to report; anything else is an internal failure.
 * `app` is the server's per-connection context (tenant, identity, services…).
 */
export type Handler<A> = (payload: Fields, ctx: BatchContext, app: A) => Promise<TtlvItem[]> | TtlvItem[];

export interface DispatchOptions<A> {
  readonly handlers: ReadonlyMap<number, Handler<A>>;
  /** Versions accepted in request headers. */
  readonly supportedVersions: readonly ProtocolVersion[];
  /** Seconds since the epoch for the response TimeStamp (injectable for tests). */
  readonly now?: () => bigint;
  /** Called with unexpected (non-KmipError) errors, which the client sees as General Failure. */
  readonly onInternalError?: (err: unknown, operation: number) => void;
}

const nowSeconds = (): bigint => BigInt(Math.floor(Date.now() / 1000));

/**
 * Runs a request's batch items through the handlers, in order, and builds the response: the
 * request's protocol version echoed, a TimeStamp, one response item per processed request item
 * with its Unique Batch Item ID, and failures carrying Result Reason and Result Message.
 * Batch Error Continuation Option Continue processes every item; Stop (the default) and Undo
 * (which OpenKCM does not support undoing for) stop after the first failure.
 */
export async function dispatch<A>(req: RequestMessage, app: A, opts: DispatchOptions<A>): Promise<ResponseMessage> {
  const version = req.header.protocolVersion;
  const vc = versionCode(version);
  const supported = opts.supportedVersions.some((v) => v.major === version.major && v.minor === version.minor);
  const onlyDiscover = req.batchItems.every((b) => b.operation === Operation.DiscoverVersions);
  const items: ResponseBatchItem[] = [];
  const shared = { idPlaceholder: undefined as string | undefined };
  const continueOnError = req.header.batchErrorContinuationOption === BatchErrorContinuationOption.Continue;

  for (let i = 0; i < req.batchItems.length; i++) {
    const bi = req.batchItems[i]!;
    let out: ResponseBatchItem;
    if (!supported && !onlyDiscover) {
      out = failed(bi, vc, vc >= V2_0 ? ResultReason.UnsupportedProtocolVersion : ResultReason.InvalidMessage, `protocol version ${formatVersion(version)} is not supported`);
    } else {
      out = await runItem(bi, i, version, vc, shared, app, opts);
    }
    items.push(out);
    if (out.resultStatus !== ResultStatus.Success && !continueOnError) break;
  }
  return {
    header: { protocolVersion: version, timeStamp: (opts.now ?? nowSeconds)(), batchCount: items.length },
    batchItems: items,
  };
}

async function runItem<A>(
  bi: RequestBatchItem,
  index: number,
  version: ProtocolVersion,
  vc: VersionCode,
  shared: { idPlaceholder: string | undefined },
  app: A,
  opts: DispatchOptions<A>,
): Promise<ResponseBatchItem> {
  const handler = opts.handlers.get(bi.operation);
  if (!handler) return failed(bi, vc, ResultReason.OperationNotSupported, 'operation not supported');
  const ctx: BatchContext = { version, versionCode: vc, operation: bi.operation, index, idPlaceholder: shared.idPlaceholder };
  try {
    const children = await handler(new Fields(bi.payload, 'RequestPayload'), ctx, app);
    const uid = children.find((c) => c.tag === Tag.UniqueIdentifier && c.type === ItemType.TextString);
    shared.idPlaceholder = uid && uid.type === ItemType.TextString ? uid.value : ctx.idPlaceholder;
    return {
      operation: bi.operation,
      uniqueBatchItemId: bi.uniqueBatchItemId,
      resultStatus: ResultStatus.Success,
      payload: struct(Tag.ResponsePayload, children),
    };
  } catch (err) {
    if (err instanceof KmipError) return failed(bi, vc, err.reason, err.message);
    opts.onInternalError?.(err, bi.operation);
    return failed(bi, vc, ResultReason.GeneralFailure, 'internal server error');
  }
}

function failed(bi: RequestBatchItem | undefined, vc: VersionCode, reason: number, message: string): ResponseBatchItem {
  return {
    operation: bi?.operation,
    uniqueBatchItemId: bi?.uniqueBatchItemId,
    resultStatus: ResultStatus.OperationFailed,
    resultReason: resultReasonFor(reason, vc),
    resultMessage: message,
  };
}

/**
 * The response for a request that could not be parsed at all (but whose framing was intact):
 * one failed batch item, in the version the client asked for when it could be read.
 */
export function messageFailure(version: ProtocolVersion, err: KmipError, now: bigint = nowSeconds()): ResponseMessage {
  return {
    header: { protocolVersion: version, timeStamp: now, batchCount: 1 },
    batchItems: [failed(undefined, versionCode(version), err.reason, err.message)],
  };
}

/**
 * The answer to a request whose response would exceed its Maximum Response Size: one failed
 * item, which names the operation when the request held only one (as the OASIS cases expect).
 */
export function responseTooLarge(request: RequestMessage, size: number, now: bigint = nowSeconds()): ResponseMessage {
  const version = request.header.protocolVersion;
  const only = request.batchItems.length === 1 ? request.batchItems[0] : undefined;
  const message = `the response is ${size} bytes, more than the ${request.header.maximumResponseSize} allowed`;
  return {
    header: { protocolVersion: version, timeStamp: now, batchCount: 1 },
    batchItems: [failed(only, versionCode(version), ResultReason.ResponseTooLarge, message)],
  };
}

/** Encodes a response for the wire, dropping every tag its protocol version does not define. */
export function encodeResponse(resp: ResponseMessage): Buffer {
  const tree: TtlvStructure = filterForVersion(responseMessageToTtlv(resp), nearestKnownVersion(versionCode(resp.header.protocolVersion)));
  return encodeTtlv(tree);
}
