import { encodeTtlv } from '../../kmip-server/codec/encoder.js';
import { ResultStatus } from '../../kmip-server/codec/enums.js';
import { enumName } from '../../kmip-server/codec/names.js';
import { Tag } from '../../kmip-server/codec/tags.js';
import { struct } from '../../kmip-server/codec/types.js';
import type { ProtocolVersion } from '../../kmip-server/codec/version.js';
import { versionCode } from '../../kmip-server/codec/version.js';
import type { KmipAttribute } from '../../kmip-server/protocol/attributes.js';
import type { RequestMessage, ResponseBatchItem, ResponseMessage } from '../../kmip-server/protocol/messages.js';
import { parseResponseMessage, requestMessageToTtlv } from '../../kmip-server/protocol/messages.js';
import { Fields } from '../../kmip-server/protocol/payload.js';
import type { KmipTlsOptions } from './connection.js';
import { KmipConnection } from './connection.js';
import { KmipProtocolError, KmipResultError } from './errors.js';
import type {
  AttributeInput,
  CipherOptions,
  CipherResult,
  CreatedObject,
  CreateOptions,
  GetOptions,
  KmipOperation,
  LocateOptions,
  ManagedObject,
  QueryResult,
  RegisterOptions,
  RevokeOptions,
} from './operations.js';
import * as ops from './operations.js';

export interface KmipClientOptions extends KmipTlsOptions {
  /** Protocol version put in request headers. Default 1.4. */
  readonly protocolVersion?: ProtocolVersion;
}

export type BatchResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: KmipResultError };
type BatchResults<T extends readonly KmipOperation<unknown>[]> = { -readonly [K in keyof T]: T[K] extends KmipOperation<infer R> ? BatchResult<R> : never };

/**
 * KMIP client over mutual TLS. One connection, pipelined: concurrent calls are written at once
 * and answered in order. Each typed method sends one batch item; `batch()` sends several in one
 * message (later items may omit the Unique Identifier to use the ID placeholder, e.g. Create
 * then Get); `send()` sends a raw RequestMessage.
 */
export class KmipClient {
  readonly connection: KmipConnection;
  readonly version: ProtocolVersion;

  constructor(options: KmipClientOptions) {
    this.connection = new KmipConnection(options);
    this.version = options.protocolVersion ?? { major: 1, minor: 4 };
  }

  /** Sends a request message as given and returns the parsed response (failures included). */
  async send(message: RequestMessage): Promise<ResponseMessage> {
    const item = await this.connection.request(encodeTtlv(requestMessageToTtlv(message)));
    try {
      return parseResponseMessage(item);
    } catch (e) {
      throw new KmipProtocolError(`malformed KMIP response: ${(e as Error).message}`);
    }
  }

  /** Runs one operation; resolves with its parsed result or rejects with KmipResultError. */
  async run<T>(op: KmipOperation<T>): Promise<T> {
    const [r] = await this.batch([op] as const);
    if (!r.ok) throw r.error;
    return r.value;
  }

  /** Runs several operations in one request message, in order. */
  async batch<const T extends readonly KmipOperation<unknown>[]>(operations: T): Promise<BatchResults<T>> {
    const vc = versionCode(this.version);
    const multi = operations.length > 1;
    const resp = await this.send({
      header: { protocolVersion: this.version, batchCount: operations.length },
      batchItems: operations.map((op, i) => ({
        operation: op.operation,
        uniqueBatchItemId: multi ? Buffer.from([i]) : undefined,
        payload: struct(Tag.RequestPayload, op.build(vc)),
      })),
    });
    const items = resp.batchItems;
    return operations.map((op, i) => {
      // Match by Unique Batch Item ID when the server echoed it, else by position.
      const bi = (multi ? items.find((b) => b.uniqueBatchItemId?.[0] === i && b.uniqueBatchItemId.length === 1) : undefined) ?? items[i];
      return this.result(op, bi, vc);
    }) as BatchResults<T>;
  }

  private result<T>(op: KmipOperation<T>, bi: ResponseBatchItem | undefined, vc: number): BatchResult<T> {
    if (!bi) return { ok: false, error: new KmipResultError(op.operation, ResultStatus.OperationFailed, undefined, 'no response item (batch stopped earlier)') };
    if (bi.resultStatus !== ResultStatus.Success) {
      return { ok: false, error: new KmipResultError(bi.operation ?? op.operation, bi.resultStatus, bi.resultReason, bi.resultMessage) };
    }
    try {
      return { ok: true, value: op.parse(new Fields(bi.payload ?? struct(Tag.ResponsePayload, []), 'ResponsePayload'), vc) };
    } catch (e) {
      throw new KmipProtocolError(`unexpected ${enumName(Tag.Operation, op.operation) ?? op.operation} response: ${(e as Error).message}`);
    }
  }

  discoverVersions(versions: readonly ProtocolVersion[] = []): Promise<ProtocolVersion[]> {
    return this.run(ops.discoverVersions(versions));
  }
  query(functions?: readonly number[]): Promise<QueryResult> {
    return this.run(ops.query(functions));
  }
  create(options?: CreateOptions): Promise<CreatedObject> {
    return this.run(ops.create(options));
  }
  register(options: RegisterOptions): Promise<string> {
    return this.run(ops.register(options));
  }
  get(uid: string, options?: GetOptions): Promise<ManagedObject> {
    return this.run(ops.get(uid, options));
  }
  getAttributes(uid: string, names?: readonly string[]): Promise<KmipAttribute[]> {
    return this.run(ops.getAttributes(uid, names));
  }
  getAttributeList(uid: string): Promise<string[]> {
    return this.run(ops.getAttributeList(uid));
  }
  addAttribute(uid: string, attribute: AttributeInput): Promise<KmipAttribute | undefined> {
    return this.run(ops.addAttribute(uid, attribute));
  }
  modifyAttribute(uid: string, attribute: AttributeInput): Promise<KmipAttribute | undefined> {
    return this.run(ops.modifyAttribute(uid, attribute));
  }
  deleteAttribute(uid: string, name: string, index?: number): Promise<void> {
    return this.run(ops.deleteAttribute(uid, name, index));
  }
  activate(uid: string): Promise<string> {
    return this.run(ops.activate(uid));
  }
  revoke(uid: string, reasonCode: number, options?: RevokeOptions): Promise<string> {
    return this.run(ops.revoke(uid, reasonCode, options));
  }
  destroy(uid: string): Promise<string> {
    return this.run(ops.destroy(uid));
  }
  locate(options?: LocateOptions): Promise<string[]> {
    return this.run(ops.locate(options));
  }
  encrypt(uid: string, data: Uint8Array, options?: CipherOptions): Promise<CipherResult> {
    return this.run(ops.encrypt(uid, data, options));
  }
  decrypt(uid: string, data: Uint8Array, options?: CipherOptions): Promise<CipherResult> {
    return this.run(ops.decrypt(uid, data, options));
  }
  reKey(uid: string, offsetSeconds?: number): Promise<string> {
    return this.run(ops.reKey(uid, offsetSeconds));
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
