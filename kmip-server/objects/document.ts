import { encodeTtlv } from '../codec/encoder.js';
import { State } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';
import { ItemType } from '../codec/types.js';
import { AttributeBag } from './attribute-bag.js';
import type { KmipObjectDocument, ManagedObject, MaterialRef, StoredMaterial } from './model.js';
import { packAttributes, unpackAttributes } from './packed-attributes.js';

/** Typed reads of single-valued attributes. */
export function enumAttr(bag: AttributeBag, name: string): number | undefined {
  const v = bag.first(name);
  return v && (v.type === ItemType.Enumeration || v.type === ItemType.Integer) ? v.value : undefined;
}

export function intAttr(bag: AttributeBag, name: string): number | undefined {
  const v = bag.first(name);
  return v && v.type === ItemType.Integer ? v.value : undefined;
}

export function dateAttr(bag: AttributeBag, name: string): Date | undefined {
  const v = bag.first(name);
  return v && v.type === ItemType.DateTime ? new Date(Number(v.value) * 1000) : undefined;
}

export function textAttr(bag: AttributeBag, name: string): string | undefined {
  const v = bag.first(name);
  return v && v.type === ItemType.TextString ? v.value : undefined;
}

function childText(item: TtlvItem, tag: number): string | undefined {
  if (item.type !== ItemType.Structure) return undefined;
  const c = item.value.find((x) => x.tag === tag);
  return c && c.type === ItemType.TextString ? c.value : undefined;
}

function childEnum(item: TtlvItem, tag: number): number | undefined {
  if (item.type !== ItemType.Structure) return undefined;
  const c = item.value.find((x) => x.tag === tag);
  return c && c.type === ItemType.Enumeration ? c.value : undefined;
}

/** The Locate equality key of one attribute instance. */
export function matchKey(name: string, value: TtlvItem): string {
  const tagged = value.tag === AttributeBag.valueTag(name) ? value : ({ ...value, tag: AttributeBag.valueTag(name) } as TtlvItem);
  return `${name}=${encodeTtlv(tagged).toString('base64')}`;
}

/**
 * Attributes Locate compares by something other than equality, or that change without a
 * write (State follows the dates), so they get no equality keys.
 */
export const NON_EQUALITY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'State',
  'Cryptographic Usage Mask',
  'Initial Date',
  'Activation Date',
  'Deactivation Date',
  'Process Start Date',
  'Protect Stop Date',
  'Destroy Date',
  'Compromise Date',
  'Compromise Occurrence Date',
  'Last Change Date',
  'Archive Date',
  'Original Creation Date',
  'Fresh',
  'Usage Limits',
]);

export function toDocument(o: ManagedObject): KmipObjectDocument {
  const b = o.attributes;
  const doc: KmipObjectDocument = {
    _id: o.uid,
    tenantId: o.tenantId,
    owner: o.owner,
    objectType: o.objectType,
    state: enumAttr(b, 'State') ?? State.PreActive,
    names: b.all('Name').flatMap((n) => childText(n, Tag.NameValue) ?? []),
    dates: {},
    links: b.all('Link').flatMap((l) => {
      const type = childEnum(l, Tag.LinkType);
      const id = childText(l, Tag.LinkedObjectIdentifier);
      return type !== undefined && id !== undefined ? [{ type, id }] : [];
    }),
    attributes: packAttributes(b.toStored()),
    match: [],
    material: storeMaterial(o.material),
    rev: o.rev,
  };
  const alg = enumAttr(b, 'Cryptographic Algorithm');
  if (alg !== undefined) doc.cryptographicAlgorithm = alg;
  const len = intAttr(b, 'Cryptographic Length');
  if (len !== undefined) doc.cryptographicLength = len;
  const mask = intAttr(b, 'Cryptographic Usage Mask');
  if (mask !== undefined) doc.cryptographicUsageMask = mask;
  const dates: Array<[keyof KmipObjectDocument['dates'], string]> = [
    ['initial', 'Initial Date'],
    ['activation', 'Activation Date'],
    ['deactivation', 'Deactivation Date'],
    ['processStart', 'Process Start Date'],
    ['protectStop', 'Protect Stop Date'],
    ['destroy', 'Destroy Date'],
    ['compromise', 'Compromise Date'],
    ['compromiseOccurrence', 'Compromise Occurrence Date'],
    ['lastChange', 'Last Change Date'],
  ];
  for (const [field, name] of dates) {
    const d = dateAttr(b, name);
    if (d) doc.dates[field] = d;
  }
  const rr = b.first('Revocation Reason');
  if (rr) {
    const reason = childEnum(rr, Tag.RevocationReasonCode);
    if (reason !== undefined) {
      const message = childText(rr, Tag.RevocationMessage);
      doc.revocation = message === undefined ? { reason } : { reason, message };
    }
  }
  for (const [name, list] of b.entries()) {
    if (NON_EQUALITY_ATTRIBUTES.has(name)) continue;
    for (const v of list) doc.match.push(matchKey(name, v));
  }
  return doc;
}

function storeMaterial(m: MaterialRef): StoredMaterial {
  return m;
}

/** Mongo hands back Binary for Buffers; accept both. */
export function bytesOf(value: Uint8Array | { buffer: Uint8Array }): Buffer {
  const u8 = value instanceof Uint8Array ? value : value.buffer;
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** Builds the object from a document; needs only the fields of ObjectRepository's read projection. */
export function fromDocument(doc: Pick<KmipObjectDocument, '_id' | 'tenantId' | 'owner' | 'objectType' | 'attributes' | 'material' | 'rev'>): ManagedObject {
  const stored = doc.attributes;
  const attributes = AttributeBag.fromStored(
    Array.isArray(stored)
      ? stored.map((a) => ({ n: a.n, v: bytesOf(a.v as Uint8Array | { buffer: Uint8Array }) })) // written before attributes were packed
      : unpackAttributes(bytesOf(stored as Uint8Array | { buffer: Uint8Array })),
  );
  const m = doc.material;
  let material: MaterialRef;
  if (m.kind === 'sealed') {
    material = { kind: 'sealed', l2Version: m.l2Version, sealed: bytesOf(m.sealed as Uint8Array | { buffer: Uint8Array }), format: m.format ?? {} };
  } else {
    material = { ...m, format: m.format ?? {} } as MaterialRef;
  }
  return {
    uid: doc._id,
    tenantId: doc.tenantId,
    owner: doc.owner,
    objectType: doc.objectType,
    attributes,
    material,
    usageUsed: 0,
    rev: doc.rev,
  };
}
