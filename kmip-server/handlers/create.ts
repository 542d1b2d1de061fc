import { randomUUID } from 'node:crypto';
import { CryptographicAlgorithm, CryptographicUsageMask, KeyFormatType, ObjectType } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';
import { ItemType, enumeration, int, text } from '../codec/types.js';
import { enumAttr, intAttr } from '../objects/document.js';
import { EPHEMERAL_KEY_BYTES, mintEphemeralId } from '../objects/ephemeral.js';
import type { KmipAttribute } from '../protocol/attributes.js';
import { readAttributes } from '../protocol/attributes.js';
import { invalidField, missingData } from '../protocol/errors.js';
import type { OpHandler } from './context.js';
import type { Op } from './context.js';
import { EPHEMERAL_ATTRIBUTE, keyBytesFor, newObject, templateBag, wantsEphemeral } from './new-object.js';
import { deriveObjectKey, digestOf } from './targets.js';

/**
 * Create: a symmetric key whose material is derived from the tenant's current L2 version
 * (nothing secret is stored), or — with `x-OpenKCM-Ephemeral` — an ephemeral key whose
 * identifier carries its whole derivation context (nothing at all is stored).
 */
export const create: OpHandler = async (p, _ctx, op) => {
  const objectType = p.enum(Tag.ObjectType);
  if (objectType !== ObjectType.SymmetricKey) throw invalidField('Create makes Symmetric Keys; other objects are registered');
  const attrs = readAttributes(p);
  if (wantsEphemeral(attrs)) return createEphemeral(op, attrs);

  const bag = templateBag(attrs, objectType);
  const algorithm = enumAttr(bag, 'Cryptographic Algorithm');
  const length = intAttr(bag, 'Cryptographic Length');
  if (algorithm === undefined) throw missingData('Create needs the Cryptographic Algorithm attribute');
  if (length === undefined) throw missingData('Create needs the Cryptographic Length attribute');
  const bytes = keyBytesFor(algorithm, length);
  if (!bag.has('Cryptographic Usage Mask')) {
    bag.add('Cryptographic Usage Mask', int(Tag.CryptographicUsageMask, CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt));
  }

  const l2 = await op.services.keys.current(op.tenantId);
  const uid = randomUUID();
  const key = deriveObjectKey(l2, { tenantId: op.tenantId, owner: op.serviceId, uid }, bytes);
  const digest = digestOf(key, KeyFormatType.Raw);
  key.fill(0);
  const object = newObject(op, {
    uid,
    objectType,
    attributes: bag,
    material: { kind: 'derived', l2Version: l2.version, length: bytes, format: { keyFormatType: KeyFormatType.Raw } },
    generated: true,
    digest,
  });
  op.objectId = uid;
  op.l2Version = l2.version;
  await op.services.objects.insert(object);
  return [enumeration(Tag.ObjectType, objectType), text(Tag.UniqueIdentifier, uid)];
};

/** Attributes an ephemeral Create may carry: they describe the fixed key, or ask for it. */
const EPHEMERAL_ALLOWED = new Set([EPHEMERAL_ATTRIBUTE, 'Cryptographic Algorithm', 'Cryptographic Length', 'Cryptographic Usage Mask', 'Operation Policy Name', 'Object Type']);

async function createEphemeral(op: Op, attrs: readonly KmipAttribute[]): Promise<TtlvItem[]> {
  for (const a of attrs) {
    if (!EPHEMERAL_ALLOWED.has(a.name)) throw invalidField(`ephemeral keys store no attributes: ${a.name} cannot be set`);
    const v = a.value;
    if (a.name === 'Cryptographic Algorithm' && !(v.type === ItemType.Enumeration && v.value === CryptographicAlgorithm.AES)) {
      throw invalidField('ephemeral keys are AES-256');
    }
    if (a.name === 'Cryptographic Length' && !(v.type === ItemType.Integer && v.value === EPHEMERAL_KEY_BYTES * 8)) {
      throw invalidField('ephemeral keys are AES-256');
    }
  }
  const l2 = await op.services.keys.current(op.tenantId);
  const uid = mintEphemeralId(l2);
  op.objectId = uid;
  op.l2Version = l2.version;
  return [enumeration(Tag.ObjectType, ObjectType.SymmetricKey), text(Tag.UniqueIdentifier, uid)];
}
