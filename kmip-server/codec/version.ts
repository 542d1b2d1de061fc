/**
 * KMIP protocol versions as one comparable number: major * 100 + minor.
 * Tables and the response filter compare these, so 1.4 < 2.0 < 2.1 holds with plain `<`.
 */
export type VersionCode = number;

export const V1_0: VersionCode = 100;
export const V1_1: VersionCode = 101;
export const V1_2: VersionCode = 102;
export const V1_3: VersionCode = 103;
export const V1_4: VersionCode = 104;
export const V2_0: VersionCode = 200;
export const V2_1: VersionCode = 201;

export interface ProtocolVersion {
  readonly major: number;
  readonly minor: number;
}

export function versionCode(v: ProtocolVersion): VersionCode {
  return v.major * 100 + v.minor;
}

export function versionFromCode(code: VersionCode): ProtocolVersion {
  return { major: Math.floor(code / 100), minor: code % 100 };
}

export function formatVersion(v: ProtocolVersion): string {
  return `${v.major}.${v.minor}`;
}

/** Parses "1.4" / "2.0". */
export function parseVersion(text: string): ProtocolVersion {
  const m = /^(\d{1,3})\.(\d{1,2})$/.exec(text.trim());
  if (!m) throw new Error(`not a KMIP protocol version: ${JSON.stringify(text)}`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/** Versions this codebase has tables for, newest first (the order DiscoverVersions answers in). */
export const KNOWN_VERSIONS: readonly ProtocolVersion[] = [
  { major: 2, minor: 1 },
  { major: 2, minor: 0 },
  { major: 1, minor: 4 },
  { major: 1, minor: 3 },
  { major: 1, minor: 2 },
  { major: 1, minor: 1 },
  { major: 1, minor: 0 },
];

/**
 * The version whose tag set describes a response to `code`: itself when known, else the nearest
 * known one (1.0 below, 2.1 above). A request naming version -2147483647.4 still gets a
 * response with a header its client can parse.
 */
export function nearestKnownVersion(code: VersionCode): VersionCode {
  if (code < V1_0) return V1_0;
  if (code > V2_1) return V2_1;
  return code;
}
