import type { TtlvItem } from './types.js';
import { ItemType } from './types.js';

/** Deep structural equality of two TTLV trees (bigint-, Uint8Array-aware). */
export function ttlvEqual(a: TtlvItem, b: TtlvItem): boolean {
  if (a.tag !== b.tag || a.type !== b.type) return false;
  if (a.type === ItemType.Structure) {
    const bv = (b as typeof a).value;
    if (a.value.length !== bv.length) return false;
    for (let i = 0; i < bv.length; i++) if (!ttlvEqual(a.value[i]!, bv[i]!)) return false;
    return true;
  }
  if (a.type === ItemType.ByteString) return Buffer.from(a.value).equals(Buffer.from((b as typeof a).value));
  return a.value === b.value;
}

/** A readable one-item-per-line dump, for test failures and debugging (never log key material with it). */
export function dumpTtlv(item: TtlvItem, depth = 0): string {
  const pad = '  '.repeat(depth);
  const head = `${pad}0x${item.tag.toString(16)} `;
  if (item.type === ItemType.Structure) {
    return [`${head}Structure`, ...item.value.map((c) => dumpTtlv(c, depth + 1))].join('\n');
  }
  const v = item.type === ItemType.ByteString ? Buffer.from(item.value).toString('hex') : String(item.value);
  return `${head}${item.type}=${v}`;
}
