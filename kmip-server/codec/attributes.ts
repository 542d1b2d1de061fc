import { Tag, tagBySpecName, tagInfo } from './tags.js';
import type { VersionCode } from './version.js';
import { V1_0, V1_1, V1_2, V1_3, V1_4 } from './version.js';

/**
 * Attribute names of KMIP 1.x (`Attribute{AttributeName, AttributeValue}`), each the spec name
 * of the tag that carries the attribute in KMIP 2.x `Attributes` structures.
 * `since` is the 1.x version that defined the attribute.
 */
const ATTRIBUTES_1X: ReadonlyArray<readonly [number, VersionCode]> = [
  [Tag.UniqueIdentifier, V1_0],
  [Tag.Name, V1_0],
  [Tag.ObjectType, V1_0],
  [Tag.CryptographicAlgorithm, V1_0],
  [Tag.CryptographicLength, V1_0],
  [Tag.CryptographicParameters, V1_0],
  [Tag.CryptographicDomainParameters, V1_0],
  [Tag.CertificateType, V1_0],
  [Tag.CertificateIdentifier, V1_0],
  [Tag.CertificateSubject, V1_0],
  [Tag.CertificateIssuer, V1_0],
  [Tag.Digest, V1_0],
  [Tag.OperationPolicyName, V1_0],
  [Tag.CryptographicUsageMask, V1_0],
  [Tag.LeaseTime, V1_0],
  [Tag.UsageLimits, V1_0],
  [Tag.State, V1_0],
  [Tag.InitialDate, V1_0],
  [Tag.ActivationDate, V1_0],
  [Tag.ProcessStartDate, V1_0],
  [Tag.ProtectStopDate, V1_0],
  [Tag.DeactivationDate, V1_0],
  [Tag.DestroyDate, V1_0],
  [Tag.CompromiseOccurrenceDate, V1_0],
  [Tag.CompromiseDate, V1_0],
  [Tag.RevocationReason, V1_0],
  [Tag.ArchiveDate, V1_0],
  [Tag.ObjectGroup, V1_0],
  [Tag.Link, V1_0],
  [Tag.ApplicationSpecificInformation, V1_0],
  [Tag.ContactInformation, V1_0],
  [Tag.LastChangeDate, V1_0],
  [Tag.CertificateLength, V1_1],
  [Tag.X_509CertificateIdentifier, V1_1],
  [Tag.X_509CertificateSubject, V1_1],
  [Tag.X_509CertificateIssuer, V1_1],
  [Tag.DigitalSignatureAlgorithm, V1_1],
  [Tag.Fresh, V1_1],
  [Tag.AlternativeName, V1_2],
  [Tag.KeyValuePresent, V1_2],
  [Tag.KeyValueLocation, V1_2],
  [Tag.OriginalCreationDate, V1_2],
  [Tag.RandomNumberGenerator, V1_3],
  [Tag.PKCS_12FriendlyName, V1_4],
  [Tag.Description, V1_4],
  [Tag.Comment, V1_4],
  [Tag.Sensitive, V1_4],
  [Tag.AlwaysSensitive, V1_4],
  [Tag.Extractable, V1_4],
  [Tag.NeverExtractable, V1_4],
];

const attrSince = new Map<number, VersionCode>(ATTRIBUTES_1X.map(([t, v]) => [t, v]));

/** Tag of a standard 1.x attribute name ("Cryptographic Algorithm" → 0x420028); undefined for custom ones. */
export function attributeTag(name: string): number | undefined {
  const info = tagBySpecName(name);
  return info && attrSince.has(info.tag) ? info.tag : undefined;
}

/** 1.x attribute name of a tag (0x420028 → "Cryptographic Algorithm"). */
export function attributeName(tag: number): string | undefined {
  return attrSince.has(tag) ? tagInfo(tag)?.specName : undefined;
}

/** The 1.x version that defined the attribute, if it is a standard 1.x attribute. */
export function attributeSince(tag: number): VersionCode | undefined {
  return attrSince.get(tag);
}

/** Custom attributes: "x-" (client) and "y-" (server) prefixed names in 1.x. */
export function isCustomAttributeName(name: string): boolean {
  return name.startsWith('x-') || name.startsWith('y-');
}
