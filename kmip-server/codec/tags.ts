import { TAG_ROWS } from './tag-table.js';
import type { VersionCode } from './version.js';

type Row = (typeof TAG_ROWS)[number];
export type TagName = Row[1];

export interface TagInfo {
  readonly tag: number;
  /** Name as written in the KMIP XML and JSON encodings, e.g. "CryptographicUsageMask". */
  readonly name: string;
  /** Name as printed in the specification, e.g. "Cryptographic Usage Mask". */
  readonly specName: string;
  /** Protocol version that introduced the tag. */
  readonly since: VersionCode;
  /** Protocol version from which the tag is "(Reserved)" (removed), if any. */
  readonly removedIn: VersionCode | undefined;
}

/** Tag numbers by XML name: `Tag.UniqueIdentifier === 0x420094`. */
export const Tag = Object.fromEntries(TAG_ROWS.map((r) => [r[1], r[0]])) as { readonly [R in Row as R[1]]: R[0] };

const byTag = new Map<number, TagInfo>();
const byName = new Map<string, TagInfo>();
const bySpecName = new Map<string, TagInfo>();
for (const r of TAG_ROWS) {
  const info: TagInfo = { tag: r[0], name: r[1], specName: r[2], since: r[3], removedIn: r.length > 4 ? r[4] : undefined };
  byTag.set(info.tag, info);
  byName.set(info.name, info);
  bySpecName.set(info.specName, info);
}

export function tagInfo(tag: number): TagInfo | undefined {
  return byTag.get(tag);
}

export function tagByName(name: string): TagInfo | undefined {
  return byName.get(name);
}

export function tagBySpecName(specName: string): TagInfo | undefined {
  return bySpecName.get(specName);
}

/** XML name of a tag, or its hex form ("0x540001") for extension and unknown tags. */
export function tagName(tag: number): string {
  return byTag.get(tag)?.name ?? formatTag(tag);
}

export function formatTag(tag: number): string {
  return `0x${tag.toString(16).padStart(6, '0').toUpperCase()}`;
}

/** Extension tags (0x54xxxx) belong to vendors and are valid in every version. */
export function isExtensionTag(tag: number): boolean {
  return tag >>> 16 === 0x54;
}

/**
 * Whether a tag may appear in a message of the given protocol version. Unknown 0x42 tags
 * count as valid: the response filter only removes tags it knows to be out of range.
 */
export function isTagValidIn(tag: number, version: VersionCode): boolean {
  const info = byTag.get(tag);
  if (info === undefined) return true;
  return info.since <= version && (info.removedIn === undefined || version < info.removedIn);
}

export function allTags(): IterableIterator<TagInfo> {
  return byTag.values();
}
