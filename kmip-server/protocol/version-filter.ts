import { isTagValidIn } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';
import { ItemType } from '../codec/types.js';
import type { VersionCode } from '../codec/version.js';

/**
 * Removes every item whose tag the given protocol version does not define (too new, or made
 * "(Reserved)" by 2.0), so a response only carries what the client's version can parse.
 * Returns the same object when nothing is removed (the common case: no copying).
 */
export function filterForVersion<T extends TtlvItem>(item: T, version: VersionCode): T {
  if (item.type !== ItemType.Structure) return item;
  const children = item.value;
  let out: TtlvItem[] | undefined;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    const keep = isTagValidIn(c.tag, version);
    const next = keep ? filterForVersion(c, version) : undefined;
    if (out === undefined && next !== c) out = children.slice(0, i);
    if (out !== undefined && next !== undefined) out.push(next);
  }
  return out === undefined ? item : ({ tag: item.tag, type: ItemType.Structure, value: out } as unknown as T);
}
