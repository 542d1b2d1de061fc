import { randomBytes } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { SecretBox } from '../../lib/secrets/secret-box.js';
import { isDuplicateKeyError } from '../../lib/store/mongo.js';

/** Node's session-ticket key: 16 bytes name, 16 HMAC, 16 AES. */
export const TICKET_KEY_BYTES = 48;

interface TicketKeyDocument {
  _id: string;
  period: number;
  sealed: string;
  createdAt: Date;
}

export interface TicketKey {
  readonly key: Buffer;
  /** The rotation period the key belongs to (milliseconds since the epoch ÷ period length). */
  readonly period: number;
  /** When the next period's key takes over. */
  readonly endsAt: number;
}

/** Where rotation gets each period's key: SharedTicketKeys, or a stand-in in tests. */
export interface TicketKeySource {
  current(): Promise<TicketKey>;
}

/**
 * TLS session-ticket keys shared by every node of a deployment, so a ticket one node issued
 * resumes on any other behind an L4 load balancer: libmongocrypt opens a connection per
 * request, and with a key per node only one connection in N would resume.
 *
 * One random 48-byte key per rotation period, kept in `kmipTicketKeys` sealed under the
 * platform key. The first node to need a period's key makes it, and the others read it. Keys
 * of earlier periods are deleted, so the store holds only the current one (and, near a
 * boundary, the next). Someone who steals the store later cannot open tickets of earlier
 * periods. Keys are never derived from one long-lived secret, for the same reason.
 */
export class SharedTicketKeys implements TicketKeySource {
  private readonly keys: Collection<TicketKeyDocument>;

  constructor(
    db: Db,
    private readonly box: SecretBox,
    private readonly periodMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(Number.isSafeInteger(periodMs) && periodMs > 0)) throw new RangeError('the ticket key period must be a positive number of milliseconds');
    this.keys = db.collection<TicketKeyDocument>('kmipTicketKeys');
  }

  /** The key of the period the clock is in; the caller zeroes it when it is replaced. */
  async current(): Promise<TicketKey> {
    const period = Math.floor(this.now() / this.periodMs);
    const key = await this.keyOf(period);
    await this.keys.deleteMany({ period: { $lt: period } });
    return { key, period, endsAt: (period + 1) * this.periodMs };
  }

  private async keyOf(period: number): Promise<Buffer> {
    const _id = `ticket-key:${period}`;
    const aad = `kmip-ticket-key:${period}`;
    const stored = await this.keys.findOne({ _id });
    if (stored) return this.opened(stored, aad);
    const key = randomBytes(TICKET_KEY_BYTES);
    try {
      await this.keys.insertOne({ _id, period, sealed: this.box.seal(key, aad), createdAt: new Date(this.now()) });
      return key;
    } catch (error) {
      key.fill(0);
      if (!isDuplicateKeyError(error)) throw error;
      // Another node made this period's key first: everyone uses that one.
      const winner = await this.keys.findOne({ _id });
      if (!winner) throw error;
      return this.opened(winner, aad);
    }
  }

  private opened(doc: TicketKeyDocument, aad: string): Buffer {
    const key = this.box.open(doc.sealed, aad);
    if (key.length !== TICKET_KEY_BYTES) {
      key.fill(0);
      throw new Error(`stored ticket key ${doc._id} is not ${TICKET_KEY_BYTES} bytes`);
    }
    return key;
  }
}

export interface TicketKeyRotationHooks {
  /** A new key is in use (the old one is zeroed once this returns). */
  onRotate(key: Buffer): void;
  /** The shared key could not be read; a key of this node's own is in use meanwhile. */
  onSharedKeyUnavailable(error: unknown): void;
}

/** Asks for the next period's key this long after the period starts: node clocks differ a little. */
const ROTATION_MARGIN_MS = 1_000;
/** While the store does not answer, the node asks again this often. */
export const SHARED_KEY_RETRY_MS = 30_000;

/**
 * Keeps the node on the current period's key: asks the source again when a period ends, and
 * while the store does not answer, rotates anyway to a key of this node's own (tickets then
 * resume only on this node) and asks again every 30 s.
 */
export class TicketKeyRotation {
  #key: Buffer;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  private constructor(
    private readonly source: TicketKeySource,
    private readonly hooks: TicketKeyRotationHooks,
    first: TicketKey,
  ) {
    this.#key = first.key;
    this.#schedule(first.endsAt - Date.now() + ROTATION_MARGIN_MS);
  }

  /** Starts on the current period's key; fails if the store cannot give it (the node needs its store to start anyway). */
  static async start(source: TicketKeySource, hooks: TicketKeyRotationHooks): Promise<TicketKeyRotation> {
    return new TicketKeyRotation(source, hooks, await source.current());
  }

  /** The key in use now. */
  get key(): Buffer {
    return this.#key;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #rotate(): Promise<void> {
    let next: Buffer;
    try {
      const ticket = await this.source.current();
      next = ticket.key;
      this.#schedule(ticket.endsAt - Date.now() + ROTATION_MARGIN_MS);
    } catch (error) {
      this.hooks.onSharedKeyUnavailable(error);
      next = randomBytes(TICKET_KEY_BYTES);
      this.#schedule(SHARED_KEY_RETRY_MS);
    }
    // A timer that fired a little early gets the same period's key again: no rotation.
    if (this.#stopped || next.equals(this.#key)) {
      next.fill(0);
      return;
    }
    const previous = this.#key;
    this.#key = next;
    this.hooks.onRotate(next);
    previous.fill(0);
  }

  #schedule(inMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#rotate(), Math.max(0, inMs));
    this.#timer.unref();
  }
}
