import type { DerivationContext } from './types.js';

/**
 * How derived keys are bound to their use. Version 1 of the HKDF info is
 *
 *   "openkcm/derive/v1" 0x00 || field(tenantId) || field(serviceId) || field(objectId) || field(purpose)
 *
 * where field(x) = uint16be(byteLength(x)) || utf8(x). Length prefixes make the encoding
 * injective, so no two contexts share an info string. Changing this layout changes every
 * derived key: add a new version instead.
 */
export const DERIVATION_VERSION = 1;
const INFO_LABEL = Buffer.from('openkcm/derive/v1\0', 'utf8');
const SALT_LABEL = Buffer.from('openkcm/l2-salt/v1\0', 'utf8');

const MAX_FIELD_BYTES = 0xffff;

function fieldLength(value: string, name: string): number {
  const length = Buffer.byteLength(value, 'utf8');
  if (length > MAX_FIELD_BYTES) throw new RangeError(`derivation ${name} is too long`);
  return length;
}

export function derivationInfo(context: DerivationContext): Buffer {
  const fields = [context.tenantId, context.serviceId, context.objectId, context.purpose];
  const names = ['tenantId', 'serviceId', 'objectId', 'purpose'];
  const lengths = fields.map((value, i) => fieldLength(value, names[i]!));
  const info = Buffer.allocUnsafe(INFO_LABEL.length + lengths.reduce((sum, n) => sum + 2 + n, 0));
  let offset = INFO_LABEL.copy(info, 0);
  for (let i = 0; i < fields.length; i++) {
    offset = info.writeUInt16BE(lengths[i]!, offset);
    offset += info.write(fields[i]!, offset, 'utf8');
  }
  return info;
}

/** HKDF-Extract salt for one L2 version: binds the pseudo-random key to its tenant and version. */
export function l2Salt(tenantId: string, version: number): Buffer {
  const tenant = Buffer.from(tenantId, 'utf8');
  const salt = Buffer.allocUnsafe(SALT_LABEL.length + 2 + tenant.length + 4);
  let offset = SALT_LABEL.copy(salt, 0);
  offset = salt.writeUInt16BE(fieldLength(tenantId, 'tenantId'), offset);
  offset += tenant.copy(salt, offset);
  salt.writeUInt32BE(version, offset);
  return salt;
}
