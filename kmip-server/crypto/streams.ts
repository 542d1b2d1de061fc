import { createHash, randomBytes } from 'node:crypto';
import type { CipherStream } from './cipher.js';

interface Entry {
  readonly uid: string;
  readonly operation: number;
  readonly stream: CipherStream;
  readonly key: Buffer;
  readonly openedAt: number;
}

/**
 * Multi-part Encrypt/Decrypt (KMIP Init Indicator / Correlation Value / Final Indicator). A
 * stream lives in the connection that opened it: the Correlation Value is only meaningful on
 * that connection, and the cipher context — which holds the key — dies with it. Bounded, so a
 * client cannot pin unbounded memory; `clear()` runs when the connection closes.
 *
 * One stream per key and operation per connection: the Correlation Value is derived from a
 * per-connection secret, the operation and the key id, so starting again on the same key
 * replaces the unfinished stream (and gets the same value, as the OASIS stream cases expect).
 */
export class CipherStreams {
  private readonly entries = new Map<string, Entry>();
  private readonly secret = randomBytes(16);

  constructor(
    private readonly maxStreams = 16,
    private readonly maxAgeMs = 10 * 60_000,
  ) {}

  open(uid: string, operation: number, stream: CipherStream, key: Buffer): Buffer {
    this.expire();
    if (this.entries.size >= this.maxStreams && !this.entries.has(this.idFor(uid, operation))) {
      const oldest = this.entries.keys().next().value as string;
      this.drop(oldest);
    }
    const id = this.idFor(uid, operation);
    const correlation = Buffer.from(id, 'hex');
    this.drop(id);
    this.entries.set(id, { uid, operation, stream, key, openedAt: Date.now() });
    return correlation;
  }

  /** The stream for a Correlation Value, if it belongs to this object and operation. */
  get(correlation: Uint8Array, uid: string, operation: number): CipherStream | undefined {
    const e = this.entries.get(Buffer.from(correlation).toString('hex'));
    return e && e.uid === uid && e.operation === operation ? e.stream : undefined;
  }

  private idFor(uid: string, operation: number): string {
    return createHash('sha256').update(this.secret).update(`${operation}\0${uid}`).digest().subarray(0, 16).toString('hex');
  }

  close(correlation: Uint8Array): void {
    this.drop(Buffer.from(correlation).toString('hex'));
  }

  clear(): void {
    for (const id of [...this.entries.keys()]) this.drop(id);
  }

  get size(): number {
    return this.entries.size;
  }

  private expire(): void {
    const limit = Date.now() - this.maxAgeMs;
    for (const [id, e] of this.entries) if (e.openedAt < limit) this.drop(id);
  }

  private drop(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    // The cipher context keeps its own copy inside OpenSSL until it is collected; ours is zeroed.
    e.key.fill(0);
  }
}
