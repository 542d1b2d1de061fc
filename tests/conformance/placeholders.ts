import type { TtlvPrimitive } from '../../kmip-server/codec/types.js';
import { ItemType } from '../../kmip-server/codec/types.js';
import type { PlaceholderItem } from '../../kmip-server/codec/xml.js';

/**
 * What one test-case file has learnt so far: values the server returned where the expected
 * response had a placeholder (`$UNIQUE_IDENTIFIER_0`, `$DATA_0`, `$IV_COUNTER_NONCE`…), so
 * later requests can send them back; and the run's clock for `$NOW±N`.
 */
export class Bindings {
  private readonly values = new Map<string, TtlvPrimitive>();
  /**
   * Values the expected responses spelled out literally although the server chooses them (an IV
   * the server generated, the ciphertext under it), bound under their conventional placeholder
   * names — `$DATA_<n>` (n-th such Data in the file), `$IV_COUNTER_NONCE`,
   * `$AUTHENTICATED_ENCRYPTION_TAG`, `$KEY_MATERIAL_<n>` — because later requests of the same
   * file refer to them so (CS-BC-M-13-14). Explicit placeholders always win.
   */
  private readonly implicit = new Map<string, TtlvPrimitive>();
  private readonly implicitCounts = new Map<string, number>();

  constructor(readonly nowSeconds: bigint = BigInt(Math.floor(Date.now() / 1000))) {}

  get(name: string): TtlvPrimitive | undefined {
    return this.values.get(name);
  }

  bind(name: string, value: TtlvPrimitive): void {
    this.values.set(name, value);
  }

  /** Records a server-chosen value met where the expected file had a literal (see `implicit`). */
  bindImplicit(base: string, numbered: boolean, value: TtlvPrimitive): void {
    const n = this.implicitCounts.get(base) ?? 0;
    this.implicitCounts.set(base, n + 1);
    const name = numbered ? `${base}_${n}` : base;
    if (!this.implicit.has(name)) this.implicit.set(name, value);
  }

  /** `$NOW`, `$NOW-3600`, `$NOW+60` → seconds, or undefined for other placeholders. */
  timeOf(placeholder: string): bigint | undefined {
    const m = /^\$NOW([+-]\d+)?$/.exec(placeholder);
    if (!m) return undefined;
    return this.nowSeconds + BigInt(m[1] ?? 0);
  }

  /** The value to send for a placeholder in a request. */
  resolve(p: PlaceholderItem): TtlvPrimitive {
    const t = this.timeOf(p.placeholder);
    if (t !== undefined) {
      if (p.type === ItemType.DateTime) return { tag: p.tag, type: ItemType.DateTime, value: t };
      if (p.type === ItemType.DateTimeExtended) return { tag: p.tag, type: ItemType.DateTimeExtended, value: t * 1_000_000n };
    }
    const bound = this.values.get(p.placeholder) ?? this.implicit.get(p.placeholder);
    if (bound === undefined) throw new UnboundPlaceholder(p.placeholder);
    if (bound.type !== p.type) throw new UnboundPlaceholder(`${p.placeholder} (bound to a value of another type)`);
    return { ...bound, tag: p.tag } as TtlvPrimitive;
  }
}

export class UnboundPlaceholder extends Error {
  override readonly name = 'UnboundPlaceholder';
  constructor(readonly placeholder: string) {
    super(`request uses ${placeholder}, which no earlier response provided`);
  }
}
