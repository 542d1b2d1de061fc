import { ResultStatus } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem, TtlvStructure } from '../codec/types.js';
import { ItemType, bool, bytes, dateTime, enumeration, int, struct, text } from '../codec/types.js';
import type { ProtocolVersion } from '../codec/version.js';
import { invalidMessage } from './errors.js';
import { Fields } from './payload.js';

export interface RequestHeader {
  readonly protocolVersion: ProtocolVersion;
  readonly maximumResponseSize?: number;
  readonly clientCorrelationValue?: string;
  readonly serverCorrelationValue?: string;
  readonly asynchronousIndicator?: boolean;
  readonly attestationCapableIndicator?: boolean;
  readonly attestationTypes?: readonly number[];
  /** Kept as sent; OpenKCM authenticates by client certificate and ignores it. */
  readonly authentication?: TtlvStructure;
  readonly batchErrorContinuationOption?: number;
  readonly batchOrderOption?: boolean;
  readonly timeStamp?: bigint;
  readonly batchCount: number;
}

export interface RequestBatchItem {
  readonly operation: number;
  readonly uniqueBatchItemId?: Uint8Array;
  readonly payload: TtlvStructure;
  readonly messageExtension?: TtlvStructure;
}

export interface RequestMessage {
  readonly header: RequestHeader;
  readonly batchItems: readonly RequestBatchItem[];
}

export interface ResponseHeader {
  readonly protocolVersion: ProtocolVersion;
  readonly timeStamp: bigint;
  readonly nonce?: TtlvStructure;
  readonly attestationTypes?: readonly number[];
  readonly clientCorrelationValue?: string;
  readonly serverCorrelationValue?: string;
  readonly batchCount: number;
}

export interface ResponseBatchItem {
  readonly operation?: number;
  readonly uniqueBatchItemId?: Uint8Array;
  readonly resultStatus: number;
  readonly resultReason?: number;
  readonly resultMessage?: string;
  readonly asynchronousCorrelationValue?: Uint8Array;
  readonly payload?: TtlvStructure;
  readonly messageExtension?: TtlvStructure;
}

export interface ResponseMessage {
  readonly header: ResponseHeader;
  readonly batchItems: readonly ResponseBatchItem[];
}

// ---------------------------------------------------------------------------------------------
// Reading. Fields are looked up by tag (in any order); what is malformed is Invalid Message.

function asStruct(item: TtlvItem, tag: number, what: string): TtlvStructure {
  if (item.tag !== tag || item.type !== ItemType.Structure) throw invalidMessage(`expected a ${what} structure`);
  return item;
}

function readVersion(f: Fields): ProtocolVersion {
  const pv = f.struct(Tag.ProtocolVersion);
  return { major: pv.int(Tag.ProtocolVersionMajor), minor: pv.int(Tag.ProtocolVersionMinor) };
}

/** Message-level problems (wrong shape) become Invalid Message, whatever the field helper said. */
function asInvalidMessage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Error && e.name === 'KmipError') throw invalidMessage(e.message);
    throw e;
  }
}

export function parseRequestMessage(item: TtlvItem): RequestMessage {
  return asInvalidMessage(() => {
    const msg = new Fields(asStruct(item, Tag.RequestMessage, 'RequestMessage'));
    const h = msg.struct(Tag.RequestHeader);
    const header: RequestHeader = {
      protocolVersion: readVersion(h),
      maximumResponseSize: h.intOpt(Tag.MaximumResponseSize),
      clientCorrelationValue: h.textOpt(Tag.ClientCorrelationValue),
      serverCorrelationValue: h.textOpt(Tag.ServerCorrelationValue),
      asynchronousIndicator: h.boolOpt(Tag.AsynchronousIndicator),
      attestationCapableIndicator: h.boolOpt(Tag.AttestationCapableIndicator),
      attestationTypes: h.has(Tag.AttestationType) ? h.enums(Tag.AttestationType) : undefined,
      authentication: h.structOpt(Tag.Authentication)?.item,
      batchErrorContinuationOption: h.enumOpt(Tag.BatchErrorContinuationOption),
      batchOrderOption: h.boolOpt(Tag.BatchOrderOption),
      timeStamp: h.dateTimeOpt(Tag.TimeStamp),
      batchCount: h.int(Tag.BatchCount),
    };
    const batchItems = msg.structs(Tag.BatchItem).map((bi): RequestBatchItem => ({
      operation: bi.enum(Tag.Operation),
      uniqueBatchItemId: bi.bytesOpt(Tag.UniqueBatchItemID),
      // A payload is required by the spec, but some clients send none for payload-less
      // operations; an empty one is equivalent.
      payload: bi.structOpt(Tag.RequestPayload)?.item ?? struct(Tag.RequestPayload, []),
      messageExtension: bi.structOpt(Tag.MessageExtension)?.item,
    }));
    if (batchItems.length === 0) throw invalidMessage('RequestMessage has no BatchItem');
    if (header.batchCount !== batchItems.length) {
      throw invalidMessage(`BatchCount is ${header.batchCount} but the message has ${batchItems.length} batch items`);
    }
    return { header, batchItems };
  });
}

export function parseResponseMessage(item: TtlvItem): ResponseMessage {
  return asInvalidMessage(() => {
    const msg = new Fields(asStruct(item, Tag.ResponseMessage, 'ResponseMessage'));
    const h = msg.struct(Tag.ResponseHeader);
    const header: ResponseHeader = {
      protocolVersion: readVersion(h),
      timeStamp: h.dateTime(Tag.TimeStamp),
      nonce: h.structOpt(Tag.Nonce)?.item,
      attestationTypes: h.has(Tag.AttestationType) ? h.enums(Tag.AttestationType) : undefined,
      clientCorrelationValue: h.textOpt(Tag.ClientCorrelationValue),
      serverCorrelationValue: h.textOpt(Tag.ServerCorrelationValue),
      batchCount: h.int(Tag.BatchCount),
    };
    const batchItems = msg.structs(Tag.BatchItem).map((bi): ResponseBatchItem => ({
      operation: bi.enumOpt(Tag.Operation),
      uniqueBatchItemId: bi.bytesOpt(Tag.UniqueBatchItemID),
      resultStatus: bi.enum(Tag.ResultStatus),
      resultReason: bi.enumOpt(Tag.ResultReason),
      resultMessage: bi.textOpt(Tag.ResultMessage),
      asynchronousCorrelationValue: bi.bytesOpt(Tag.AsynchronousCorrelationValue),
      payload: bi.structOpt(Tag.ResponsePayload)?.item,
      messageExtension: bi.structOpt(Tag.MessageExtension)?.item,
    }));
    return { header, batchItems };
  });
}

// ---------------------------------------------------------------------------------------------
// Writing, in the field order the spec's tables give (strict clients such as mongod's parser
// read them in order).

function versionItem(v: ProtocolVersion): TtlvStructure {
  return struct(Tag.ProtocolVersion, [int(Tag.ProtocolVersionMajor, v.major), int(Tag.ProtocolVersionMinor, v.minor)]);
}

export function requestMessageToTtlv(msg: RequestMessage): TtlvStructure {
  const h = msg.header;
  const hv: TtlvItem[] = [versionItem(h.protocolVersion)];
  if (h.maximumResponseSize !== undefined) hv.push(int(Tag.MaximumResponseSize, h.maximumResponseSize));
  if (h.clientCorrelationValue !== undefined) hv.push(text(Tag.ClientCorrelationValue, h.clientCorrelationValue));
  if (h.serverCorrelationValue !== undefined) hv.push(text(Tag.ServerCorrelationValue, h.serverCorrelationValue));
  if (h.asynchronousIndicator !== undefined) hv.push(bool(Tag.AsynchronousIndicator, h.asynchronousIndicator));
  if (h.attestationCapableIndicator !== undefined) hv.push(bool(Tag.AttestationCapableIndicator, h.attestationCapableIndicator));
  for (const t of h.attestationTypes ?? []) hv.push(enumeration(Tag.AttestationType, t));
  if (h.authentication !== undefined) hv.push(h.authentication);
  if (h.batchErrorContinuationOption !== undefined) hv.push(enumeration(Tag.BatchErrorContinuationOption, h.batchErrorContinuationOption));
  if (h.batchOrderOption !== undefined) hv.push(bool(Tag.BatchOrderOption, h.batchOrderOption));
  if (h.timeStamp !== undefined) hv.push(dateTime(Tag.TimeStamp, h.timeStamp));
  hv.push(int(Tag.BatchCount, h.batchCount));
  const out: TtlvItem[] = [struct(Tag.RequestHeader, hv)];
  for (const bi of msg.batchItems) {
    const v: TtlvItem[] = [enumeration(Tag.Operation, bi.operation)];
    if (bi.uniqueBatchItemId !== undefined) v.push(bytes(Tag.UniqueBatchItemID, bi.uniqueBatchItemId));
    v.push(bi.payload);
    if (bi.messageExtension !== undefined) v.push(bi.messageExtension);
    out.push(struct(Tag.BatchItem, v));
  }
  return struct(Tag.RequestMessage, out);
}

export function responseMessageToTtlv(msg: ResponseMessage): TtlvStructure {
  const h = msg.header;
  const hv: TtlvItem[] = [versionItem(h.protocolVersion), dateTime(Tag.TimeStamp, h.timeStamp)];
  if (h.nonce !== undefined) hv.push(h.nonce);
  for (const t of h.attestationTypes ?? []) hv.push(enumeration(Tag.AttestationType, t));
  if (h.clientCorrelationValue !== undefined) hv.push(text(Tag.ClientCorrelationValue, h.clientCorrelationValue));
  if (h.serverCorrelationValue !== undefined) hv.push(text(Tag.ServerCorrelationValue, h.serverCorrelationValue));
  hv.push(int(Tag.BatchCount, h.batchCount));
  const out: TtlvItem[] = [struct(Tag.ResponseHeader, hv)];
  for (const bi of msg.batchItems) out.push(responseBatchItemToTtlv(bi));
  return struct(Tag.ResponseMessage, out);
}

/** Operation, UniqueBatchItemID, ResultStatus, ResultReason, ResultMessage, AsynchronousCorrelationValue, ResponsePayload, MessageExtension. */
export function responseBatchItemToTtlv(bi: ResponseBatchItem): TtlvStructure {
  const v: TtlvItem[] = [];
  if (bi.operation !== undefined) v.push(enumeration(Tag.Operation, bi.operation));
  if (bi.uniqueBatchItemId !== undefined) v.push(bytes(Tag.UniqueBatchItemID, bi.uniqueBatchItemId));
  v.push(enumeration(Tag.ResultStatus, bi.resultStatus));
  if (bi.resultReason !== undefined) v.push(enumeration(Tag.ResultReason, bi.resultReason));
  if (bi.resultMessage !== undefined) v.push(text(Tag.ResultMessage, bi.resultMessage));
  if (bi.asynchronousCorrelationValue !== undefined) v.push(bytes(Tag.AsynchronousCorrelationValue, bi.asynchronousCorrelationValue));
  if (bi.payload !== undefined) v.push(bi.payload);
  if (bi.messageExtension !== undefined) v.push(bi.messageExtension);
  return struct(Tag.BatchItem, v);
}

export function isSuccess(bi: ResponseBatchItem): boolean {
  return bi.resultStatus === ResultStatus.Success;
}
