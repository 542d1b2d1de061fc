import { createHash } from 'node:crypto';
import { KeystoreError } from '../types.js';
import type { WrapContext } from '../types.js';

/**
 * One canonical encoding of a WrapContext, used as AES-GCM associated data, as the KMIP/PKCS#11
 * binding, and (hashed) inside RSA/AES-KW wrapped payloads. Changing it breaks every wrapped
 * blob, hence the version prefix.
 */
const CONTEXT_ENCODING_VERSION = 'openkcm-l1-context-v1';

export function validateContext(context: WrapContext): void {
  if (!context.tenantId || !context.purpose) {
    throw new KeystoreError('invalid-config', 'wrap context needs a tenantId and a purpose');
  }
  if (context.l2Version !== undefined && (!Number.isSafeInteger(context.l2Version) || context.l2Version < 0)) {
    throw new KeystoreError('invalid-config', 'wrap context l2Version must be a non-negative integer');
  }
}

/** Length-prefixed fields, so ("ab","c") and ("a","bc") never encode alike. */
export function encodeContext(context: WrapContext): Buffer {
  validateContext(context);
  const fields = [
    CONTEXT_ENCODING_VERSION,
    context.tenantId,
    context.purpose,
    context.l2Version === undefined ? '' : String(context.l2Version),
  ];
  const parts: Buffer[] = [];
  for (const field of fields) {
    const bytes = Buffer.from(field, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    parts.push(len, bytes);
  }
  return Buffer.concat(parts);
}

/** SHA-256 of the canonical encoding: 32 bytes to append to a payload that has no AAD slot. */
export function contextDigest(context: WrapContext): Buffer {
  return createHash('sha256').update(encodeContext(context)).digest();
}

/** The same binding in AWS KMS's EncryptionContext form (string map, logged by CloudTrail). */
export function awsEncryptionContext(context: WrapContext): Record<string, string> {
  validateContext(context);
  const ec: Record<string, string> = { 'openkcm:tenant': context.tenantId, 'openkcm:purpose': context.purpose };
  if (context.l2Version !== undefined) ec['openkcm:l2-version'] = String(context.l2Version);
  return ec;
}
