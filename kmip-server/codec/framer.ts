import { TtlvDecodeError } from './errors.js';
import { ItemType } from './types.js';

export const DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;

export interface FramerOptions {
  /** Largest whole message (header included) accepted, in bytes. Default 1 MiB. */
  readonly maxMessageSize?: number;
}

/**
 * Cuts a TTLV byte stream into whole messages. A message is one top-level Structure; its
 * declared length is checked against the limit as soon as its 8-byte header is in, before any
 * buffer is sized for it, and memory only ever grows with bytes actually received.
 *
 * After a TtlvDecodeError the stream cannot be re-synchronised: close the connection.
 */
export class TtlvFramer {
  private readonly max: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Stream offset of the first buffered byte, for error offsets. */
  private streamOffset = 0;
  private failed: TtlvDecodeError | undefined;
  /** Size of the message being assembled, once its header is in. */
  private need: number | undefined;

  constructor(options?: FramerOptions) {
    this.max = options?.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  }

  /** Bytes received but not yet returned as a message. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /**
   * Adds received bytes and calls `onMessage` for every message now complete, in order.
   * A message that lies inside one chunk is handed over as a view of that chunk (no copy).
   */
  push(chunk: Buffer, onMessage: (message: Buffer, streamOffset: number) => void): void {
    if (this.failed) throw this.failed;
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.need === undefined) {
      if (this.buffered < 8) return;
      this.need = this.checkHeader(this.firstBytes(8), 0);
    }
    if (this.buffered < this.need) return;
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    this.need = undefined;
    let pos = 0;
    while (data.length - pos >= 8) {
      const total = this.checkHeader(data, pos);
      if (data.length - pos < total) {
        this.need = total;
        break;
      }
      const message = data.subarray(pos, pos + total);
      const at = this.streamOffset;
      this.streamOffset += total;
      pos += total;
      onMessage(message, at);
    }
    if (pos < data.length) {
      // Keep only the unconsumed tail (a view: bytes already framed are not copied).
      this.chunks = [data.subarray(pos)];
      this.buffered = data.length - pos;
    }
  }

  /** The first `n` buffered bytes, copied only when they straddle chunks. */
  private firstBytes(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    const out = Buffer.alloc(n);
    let o = 0;
    for (const c of this.chunks) {
      o += c.copy(out, o, 0, Math.min(c.length, n - o));
      if (o === n) break;
    }
    return out;
  }

  /** Validates a message header and returns the message's total size. */
  private checkHeader(buf: Buffer, pos: number): number {
    const b0 = buf[pos]!;
    const tag = (b0 << 16) | (buf[pos + 1]! << 8) | buf[pos + 2]!;
    const type = buf[pos + 3]!;
    const len = buf.readUInt32BE(pos + 4);
    const at = this.streamOffset;
    if (b0 !== 0x42 && b0 !== 0x54) this.fail(new TtlvDecodeError('bad-tag', at, tag, 'message does not start with a KMIP tag'));
    if (type !== ItemType.Structure) {
      this.fail(new TtlvDecodeError('not-a-structure', at, tag, `message item type is 0x${type.toString(16)}, not Structure`));
    }
    if (len % 8 !== 0) this.fail(new TtlvDecodeError('bad-length', at, tag, `message length ${len} is not a multiple of 8`));
    if (len + 8 > this.max) {
      this.fail(new TtlvDecodeError('too-large', at, tag, `message of ${len + 8} bytes exceeds the limit of ${this.max}`));
    }
    return len + 8;
  }

  private fail(err: TtlvDecodeError): never {
    this.failed = err;
    this.chunks = [];
    this.buffered = 0;
    this.need = undefined;
    throw err;
  }
}
