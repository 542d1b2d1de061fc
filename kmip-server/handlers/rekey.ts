import { randomUUID } from 'node:crypto';
import { KeyFormatType, LinkType, ObjectType } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import { dateTimeOf, enumeration, struct, text } from '../codec/types.js';
import { AttributeBag } from '../objects/attribute-bag.js';
import { SERVER_ONLY } from '../objects/attribute-policy.js';
import { dateAttr, enumAttr, intAttr } from '../objects/document.js';
import { effectiveState, isDestroyed, markChanged } from '../objects/lifecycle.js';
import { readAttributes } from '../protocol/attributes.js';
import { invalidField } from '../protocol/errors.js';
import type { OpHandler } from './context.js';
import { mutate } from './mutate.js';
import { keyBytesFor, newObject, templateBag } from './new-object.js';
import { deriveObjectKey, destroyedError, digestOf, resolveStored } from './targets.js';

/** Lifecycle dates a replacement key takes over (or shifts by Offset). */
const DATES: ReadonlyArray<readonly [string, number]> = [
  ['Activation Date', Tag.ActivationDate],
  ['Process Start Date', Tag.ProcessStartDate],
  ['Protect Stop Date', Tag.ProtectStopDate],
  ['Deactivation Date', Tag.DeactivationDate],
];

/** Not carried over: identity, lifecycle, history and links belong to the old key. */
const NOT_INHERITED = new Set(['Link', 'Original Creation Date', 'Key Value Location', ...DATES.map(([n]) => n)]);

/**
 * ReKey (KMIP 1.4 §4.4): a replacement symmetric key with fresh derived material under the
 * tenant's current L2 version. It inherits the old key's attributes (names included, the
 * request's template adds to them), takes over its lifecycle dates — or, with Offset, is
 * activated that long from now with the other dates moved by the same amount — and the two are
 * linked (Replacement / Replaced Object).
 */
export const reKey: OpHandler = async (p, ctx, op) => {
  const uid = p.uniqueIdentifier(ctx.idPlaceholder);
  const offset = p.intervalOpt(Tag.Offset);
  const old = await resolveStored(op, uid, 're-keyed');
  if (old.objectType !== ObjectType.SymmetricKey) throw invalidField('ReKey applies to Symmetric Keys');
  if (isDestroyed(effectiveState(old.attributes, op.now))) throw destroyedError(op);
  const algorithm = enumAttr(old.attributes, 'Cryptographic Algorithm');
  const bits = intAttr(old.attributes, 'Cryptographic Length');
  if (algorithm === undefined || bits === undefined) throw invalidField('the key has no algorithm and length to re-key with');
  const bytes = old.material.kind === 'derived' ? old.material.length : keyBytesFor(algorithm, bits);

  const bag = new AttributeBag();
  for (const [name, list] of old.attributes.entries()) {
    if (SERVER_ONLY.has(name)) continue;
    if (NOT_INHERITED.has(name)) continue;
    for (const v of list) bag.add(name, v);
  }
  for (const [name, list] of templateBag(readAttributes(p), ObjectType.SymmetricKey).entries()) {
    if (name !== 'Name' && bag.has(name)) bag.delete(name);
    for (const v of list) bag.add(name, v);
  }
  const oldActivation = dateAttr(old.attributes, 'Activation Date');
  for (const [name, tag] of DATES) {
    if (bag.has(name)) continue;
    const d = dateAttr(old.attributes, name);
    if (offset === undefined) {
      if (d) bag.add(name, dateTimeOf(tag, d));
    } else if (name === 'Activation Date') {
      bag.add(name, dateTimeOf(tag, new Date(op.now.getTime() + offset * 1000)));
    } else if (d && oldActivation) {
      bag.add(name, dateTimeOf(tag, new Date(op.now.getTime() + offset * 1000 + (d.getTime() - oldActivation.getTime()))));
    }
  }

  const l2 = await op.services.keys.current(op.tenantId);
  const newUid = randomUUID();
  const key = deriveObjectKey(l2, { tenantId: op.tenantId, owner: op.serviceId, uid: newUid }, bytes);
  const digest = digestOf(key, KeyFormatType.Raw);
  key.fill(0);
  bag.add('Link', link(LinkType.ReplacedObjectLink, old.uid));
  const replacement = newObject(op, {
    uid: newUid,
    objectType: ObjectType.SymmetricKey,
    attributes: bag,
    material: { kind: 'derived', l2Version: l2.version, length: bytes, format: { keyFormatType: KeyFormatType.Raw } },
    generated: true,
    digest,
  });
  await op.services.objects.insert(replacement);
  await mutate(op, old.uid, 're-keyed', (o) => {
    o.attributes.add('Link', link(LinkType.ReplacementObjectLink, newUid));
    markChanged(o.attributes, op.now);
  });
  op.objectId = newUid;
  op.l2Version = l2.version;
  return [text(Tag.UniqueIdentifier, newUid)];
};

function link(type: number, id: string) {
  return struct(Tag.Link, [enumeration(Tag.LinkType, type), text(Tag.LinkedObjectIdentifier, id)]);
}
