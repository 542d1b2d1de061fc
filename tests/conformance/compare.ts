import { attributeTag } from '../../kmip-server/codec/attributes.js';
import { Operation } from '../../kmip-server/codec/enums.js';
import { Tag, tagName } from '../../kmip-server/codec/tags.js';
import type { TtlvItem } from '../../kmip-server/codec/types.js';
import { ITEM_TYPE_NAMES, ItemType } from '../../kmip-server/codec/types.js';
import type { XmlItem } from '../../kmip-server/codec/xml.js';
import { formatPrimitive, isPlaceholder } from '../../kmip-server/codec/xml.js';
import type { Bindings } from './placeholders.js';

/**
 * Values the server chooses, so the expected files can only fix their type and length:
 * fresh random IVs, ciphertexts and digests under server-created keys, key material of
 * server-generated keys, time stamps, and the wording of result messages.
 */
const SERVER_CHOSEN_BYTES = new Set<number>([
  Tag.Data,
  Tag.IVCounterNonce,
  Tag.AuthenticatedEncryptionTag,
  Tag.KeyMaterial,
  Tag.DigestValue,
  Tag.MACData,
  Tag.SignatureData,
  Tag.CorrelationValue,
  Tag.NonceValue,
  Tag.NonceID,
]);
/**
 * Compared by type only: time stamps, result message wording, the server's correlation value,
 * and the RNG algorithm a server names in its Random Number Generator attribute (the files
 * show their reference server's).
 */
const TYPE_ONLY = new Set<number>([Tag.TimeStamp, Tag.ResultMessage, Tag.RNGAlgorithm, Tag.ServerCorrelationValue]);
/** Conventional placeholder names of server-chosen values (see Bindings.bindImplicit). */
const IMPLICIT_NAMES = new Map<number, readonly [string, boolean]>([
  [Tag.Data, ['$DATA', true]],
  [Tag.IVCounterNonce, ['$IV_COUNTER_NONCE', false]],
  [Tag.AuthenticatedEncryptionTag, ['$AUTHENTICATED_ENCRYPTION_TAG', false]],
  [Tag.KeyMaterial, ['$KEY_MATERIAL', true]],
]);
/** Values a file spells out literally and then names by placeholder in a later request (CS-AC-M-6-14: MAC, then MACVerify of $MAC_DATA). */
const LITERAL_NAMES = new Map<number, string>([[Tag.MACData, '$MAC_DATA']]);
/** DateTimes the spec files pin to $NOW are compared within this window (seconds). */
const NOW_TOLERANCE = 24n * 3600n;

export interface Comparison {
  readonly mismatches: string[];
  /** Values accepted by type and length only. */
  soft: number;
}

/** Compares an actual response with the expected one (which may hold placeholders), binding placeholders it meets. */
export function compareResponse(expected: XmlItem, actual: TtlvItem, bindings: Bindings): Comparison {
  const c: Comparison = { mismatches: [], soft: 0 };
  compareItem(expected, actual, tagName(expected.tag), bindings, c);
  return c;
}

function describe(item: TtlvItem | XmlItem, nameTag?: number): string {
  if (isPlaceholder(item)) return item.placeholder;
  if (item.type === ItemType.Structure) return `Structure(${item.value.length})`;
  const v = formatPrimitive(item, nameTag);
  return `${ITEM_TYPE_NAMES[item.type]} ${v.length > 40 ? `${v.slice(0, 40)}…` : v}`;
}

function compareItem(exp: XmlItem, act: TtlvItem, path: string, b: Bindings, c: Comparison, nameTag?: number): void {
  if (exp.tag !== act.tag) {
    c.mismatches.push(`${path}: expected ${tagName(exp.tag)}, got ${tagName(act.tag)}`);
    return;
  }
  if (exp.type !== act.type) {
    c.mismatches.push(`${path}: expected ${ITEM_TYPE_NAMES[exp.type]}, got ${ITEM_TYPE_NAMES[act.type]}`);
    return;
  }
  if (isPlaceholder(exp)) {
    if (act.type === ItemType.Structure) return;
    const t = b.timeOf(exp.placeholder);
    if (t !== undefined && act.type === ItemType.DateTime) {
      const d = act.value - t;
      if (d > NOW_TOLERANCE || d < -NOW_TOLERANCE) c.mismatches.push(`${path}: ${exp.placeholder} is ${act.value}, far from the run's clock`);
      return;
    }
    const bound = b.get(exp.placeholder);
    if (bound === undefined) {
      b.bind(exp.placeholder, act);
    } else if (formatPrimitive(bound) !== formatPrimitive(act)) {
      c.mismatches.push(`${path}: ${exp.placeholder} was ${describe(bound)} earlier, now ${describe(act)}`);
    }
    return;
  }
  if (exp.type === ItemType.Structure) {
    // In a 1.x Attribute, the AttributeName says how to name the AttributeValue's enumerations.
    const name = exp.tag === Tag.Attribute ? attrName(exp) : undefined;
    const valueTag = name === undefined ? undefined : attributeTag(name);
    compareChildren(exp.value, (act as typeof exp & { value: TtlvItem[] }).value, path, b, c, valueTag);
    return;
  }
  if (TYPE_ONLY.has(exp.tag)) return;
  const e = formatPrimitive(exp);
  const a = formatPrimitive(act as typeof exp);
  if (e === a) {
    const literal = LITERAL_NAMES.get(exp.tag);
    if (literal && act.type !== ItemType.Structure) b.bindImplicit(literal, false, act);
    return;
  }
  if (exp.type === ItemType.ByteString && act.type === ItemType.ByteString && SERVER_CHOSEN_BYTES.has(exp.tag)) {
    if (exp.value.length === act.value.length) {
      c.soft++;
      const implicit = IMPLICIT_NAMES.get(exp.tag);
      if (implicit) b.bindImplicit(implicit[0], implicit[1], act);
      return;
    }
    c.mismatches.push(`${path}: expected ${exp.value.length} bytes, got ${act.value.length}`);
    return;
  }
  c.mismatches.push(`${path}: expected ${describe(exp, nameTag)}, got ${describe(act, nameTag)}`);
}

/**
 * Children are compared in order, except runs of `Attribute` structures, which servers may
 * list in any order: each expected attribute is matched with an actual one of the same name.
 */
function compareChildren(exp: readonly XmlItem[], act: readonly TtlvItem[], path: string, b: Bindings, c: Comparison, valueTag?: number): void {
  let i = 0;
  let j = 0;
  while (i < exp.length || j < act.length) {
    const e = exp[i];
    const a = act[j];
    if (e && e.tag === Tag.Attribute) {
      let ie = i;
      while (ie < exp.length && exp[ie]!.tag === Tag.Attribute) ie++;
      let ja = j;
      while (ja < act.length && act[ja]!.tag === Tag.Attribute) ja++;
      matchAttributes(exp.slice(i, ie), act.slice(j, ja), path, b, c);
      i = ie;
      j = ja;
      continue;
    }
    if (!e) {
      c.mismatches.push(`${path}: unexpected ${tagName(a!.tag)} (${describe(a!)})`);
      j++;
      continue;
    }
    if (!a) {
      c.mismatches.push(`${path}: missing ${tagName(e.tag)} (${describe(e)})`);
      i++;
      continue;
    }
    if (e.tag === Tag.ResponsePayload && a.tag === Tag.ResponsePayload && isQuery(exp)) {
      compareServerDescription(e, a, `${path}/ResponsePayload`, c);
      i++;
      j++;
      continue;
    }
    if (e.tag !== a.tag) {
      // Resynchronise: an extra actual item, or a missing expected one.
      const later = act.slice(j + 1).some((x) => x.tag === e.tag);
      if (later) {
        c.mismatches.push(`${path}: unexpected ${tagName(a.tag)} (${describe(a)})`);
        j++;
      } else {
        c.mismatches.push(`${path}: missing ${tagName(e.tag)} (${describe(e)})`);
        i++;
      }
      continue;
    }
    compareItem(e, a, `${path}/${tagName(e.tag)}`, b, c, e.tag === Tag.AttributeValue ? valueTag : undefined);
    i++;
    j++;
  }
}

function attrName(item: XmlItem | TtlvItem): string | undefined {
  if (item.type !== ItemType.Structure) return undefined;
  const n = (item.value as Array<XmlItem | TtlvItem>).find((x) => x.tag === Tag.AttributeName);
  return n && !isPlaceholder(n) && n.type === ItemType.TextString ? n.value : undefined;
}

function matchAttributes(exp: readonly XmlItem[], act: readonly TtlvItem[], path: string, b: Bindings, c: Comparison): void {
  const left = [...act];
  for (const e of exp) {
    const name = attrName(e);
    const k = left.findIndex((a) => attrName(a) === name);
    if (k < 0) {
      c.mismatches.push(`${path}: missing attribute "${name}"`);
      continue;
    }
    compareItem(e, left[k]!, `${path}/Attribute[${name}]`, b, c);
    left.splice(k, 1);
  }
  for (const a of left) c.mismatches.push(`${path}: unexpected attribute "${attrName(a)}"`);
}

function isQuery(siblings: readonly XmlItem[]): boolean {
  const op = siblings.find((x) => x.tag === Tag.Operation);
  return op !== undefined && !isPlaceholder(op) && op.type === ItemType.Enumeration && op.value === Operation.Query;
}

/**
 * A Query answer describes the server under test: which operations and object types it
 * supports, its vendor name, profiles, capabilities and RNGs. The OASIS files show one
 * vendor's answers and contradict each other (SASED-M-1-14 and TC-Q-S2C-1-14 expect different
 * operation lists and vendor names for the same question), so no server can match them
 * literally. What is checked: the answer holds exactly the kinds of information asked for
 * (same set of item tags, with the same types), and every structure carries at least the
 * fields the file shows; values are accepted as the server's own (counted as soft).
 */
function compareServerDescription(exp: XmlItem, act: TtlvItem, path: string, c: Comparison): void {
  if (exp.type !== ItemType.Structure || act.type !== ItemType.Structure) {
    c.mismatches.push(`${path}: expected a structure`);
    return;
  }
  const kinds = (items: ReadonlyArray<XmlItem | TtlvItem>): Map<number, number> => new Map(items.map((x) => [x.tag, x.type]));
  const want = kinds(exp.value);
  const got = kinds(act.value);
  for (const [tag, type] of want) {
    if (!got.has(tag)) c.mismatches.push(`${path}: missing ${tagName(tag)}`);
    else if (got.get(tag) !== type) c.mismatches.push(`${path}/${tagName(tag)}: expected ${ITEM_TYPE_NAMES[type as ItemType]}, got ${ITEM_TYPE_NAMES[got.get(tag) as ItemType]}`);
  }
  for (const tag of got.keys()) if (!want.has(tag)) c.mismatches.push(`${path}: unexpected ${tagName(tag)}`);
  for (const e of exp.value) {
    if (e.type !== ItemType.Structure) continue;
    const a = act.value.find((x) => x.tag === e.tag);
    if (!a || a.type !== ItemType.Structure) continue;
    const fields = new Set(a.value.map((x) => x.tag));
    for (const f of e.value) if (!fields.has(f.tag)) c.mismatches.push(`${path}/${tagName(e.tag)}: missing ${tagName(f.tag)}`);
  }
  c.soft += act.value.length;
}
