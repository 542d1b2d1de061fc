import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { revokedSerials } from '../../lib/pki/revocation.js';

/**
 * Serials of revoked client certificates, loaded once and then topped up by polling (the PKI
 * notes explain why Node's `crl` option is not used). Checked after every handshake and before
 * every request; `onRevoked` lets the listener close connections already open.
 */
export class RevokedSerials {
  private readonly serials = new Set<string>();
  private asOf: Date | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly db: Db,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly onRevoked: (serials: readonly string[]) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    const all = await revokedSerials(this.db);
    for (const s of all.serials) this.serials.add(s);
    this.asOf = all.asOf;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  has(serial: string): boolean {
    return this.serials.has(serial);
  }

  get size(): number {
    return this.serials.size;
  }

  /** Polls now (also what the timer runs). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const r = await revokedSerials(this.db, this.asOf);
      this.asOf = r.asOf;
      const fresh = r.serials.filter((s) => !this.serials.has(s));
      for (const s of fresh) this.serials.add(s);
      if (fresh.length > 0) this.onRevoked(fresh);
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'revocation poll failed; keeping the last known list');
    } finally {
      this.polling = false;
    }
  }
}
