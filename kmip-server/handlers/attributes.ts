import { attributeName, isCustomAttributeName } from '../codec/attributes.js';
import { ResultReason } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import type { TtlvItem } from '../codec/types.js';
import { ItemType, enumeration, struct, text } from '../codec/types.js';
import { V2_0 } from '../codec/version.js';
import { checkClientAttribute, checkClientChange, checkValueChange, isMultiInstance } from '../objects/attribute-policy.js';
import { effectiveState, markChanged, settleState } from '../objects/lifecycle.js';
import type { KmipAttribute } from '../protocol/attributes.js';
import { attribute1x, attributeOf, readAttribute1x } from '../protocol/attributes.js';
import { KmipError, illegalOperation, invalidField } from '../protocol/errors.js';
import type { Fields } from '../protocol/payload.js';
import { attributeListOrder, attributes1x, selectAttributes, visibleAttributes } from './attribute-view.js';
import type { Op, OpHandler } from './context.js';
import { mutate } from './mutate.js';
import { resolveTarget } from './targets.js';

/** The attribute names a GetAttributes / DeleteAttribute request carries, whatever its version. */
function requestedNames(p: Fields): string[] {
  const names = p.texts(Tag.AttributeName);
  for (const ref of p.all(Tag.AttributeReference)) {
    if (ref.type !== ItemType.Enumeration) continue;
    const n = attributeName(ref.value);
    if (n) names.push(n);
  }
  return names;
}

export const getAttributes: OpHandler = async (p, ctx, op) => {
  const uid = p.uniqueIdentifier(ctx.idPlaceholder);
  const names = requestedNames(p);
  const t = await resolveTarget(op, uid);
  if (t.kind === 'stored' && t.object.attributes.has('Usage Limits')) {
    t.object.usageUsed = await op.services.objects.usageOf(op.tenantId, t.object.uid);
  }
  const bag = visibleAttributes(t, op.now, op.version);
  const list = selectAttributes(bag, names);
  const id = t.kind === 'ephemeral' ? t.id.id : t.object.uid;
  if (op.version >= V2_0) {
    return [text(Tag.UniqueIdentifier, id), struct(Tag.Attributes, list.filter((a) => a.tag !== undefined).map((a) => a.value))];
  }
  return [text(Tag.UniqueIdentifier, id), ...attributes1x(list)];
};

export const getAttributeList: OpHandler = async (p, ctx, op) => {
  const uid = p.uniqueIdentifier(ctx.idPlaceholder);
  const t = await resolveTarget(op, uid);
  const bag = visibleAttributes(t, op.now, op.version);
  const names = attributeListOrder(bag.names());
  const id = t.kind === 'ephemeral' ? t.id.id : t.object.uid;
  if (op.version >= V2_0) {
    return [
      text(Tag.UniqueIdentifier, id),
      ...names.filter((n) => !isCustomAttributeName(n)).map((n) => enumeration(Tag.AttributeReference, bag.first(n)!.tag)),
    ];
  }
  return [text(Tag.UniqueIdentifier, id), ...names.map((n) => text(Tag.AttributeName, n))];
};

/** The attribute of an Add/Modify request: 1.x `Attribute`, or 2.x `NewAttribute`. */
function editedAttribute(p: Fields): KmipAttribute {
  const a1 = p.structOpt(Tag.Attribute);
  if (a1) {
    if (!a1.has(Tag.AttributeValue)) throw invalidField('Attribute Value is required');
    return readAttribute1x(a1);
  }
  const a2 = p.structOpt(Tag.NewAttribute);
  const item = a2?.children[0];
  if (!item) throw invalidField('the attribute to set is required');
  return attributeOf(item);
}

function answer(op: Op, uid: string, a: KmipAttribute, index: number): TtlvItem[] {
  if (op.version >= V2_0) return [text(Tag.UniqueIdentifier, uid)];
  return [text(Tag.UniqueIdentifier, uid), attribute1x({ ...a, index: index === 0 ? undefined : index })];
}

const attributeNotFound = (op: Op): KmipError =>
  new KmipError(op.version >= V2_0 ? ResultReason.AttributeNotFound : ResultReason.ItemNotFound, 'the object has no such attribute instance');

export const addAttribute: OpHandler = async (p, ctx, op) => {
  const uid = p.uniqueIdentifier(ctx.idPlaceholder);
  const a = editedAttribute(p);
  checkClientAttribute(a.name, a.value);
  return mutate(op, uid, 'changed', (o) => {
    const bag = o.attributes;
    checkClientChange(a.name, effectiveState(bag, op.now), 'add');
    if (bag.has(a.name) && !isMultiInstance(a.name)) throw illegalOperation(`attribute ${a.name} allows one instance and already has it`);
    const index = bag.add(a.name, a.value);
    markChanged(bag, op.now);
    settleState(bag, op.now);
    return answer(op, o.uid, a, index);
  });
};

export const modifyAttribute: OpHandler = async (p, ctx, op) => {
  const uid = p.uniqueIdentifier(ctx.idPlaceholder);
  const a = editedAttribute(p);
  checkClientAttribute(a.name, a.value);
  const index = a.index ?? 0;
  return mutate(op, uid, 'changed', (o) => {
    const bag = o.attributes;
    if (bag.all(a.name)[index] === undefined) throw attributeNotFound(op);
    checkClientChange(a.name, effectiveState(bag, op.now), 'modify');
    checkValueChange(a.name, bag.all(a.name)[index], a.value);
    bag.set(a.name, a.value, index);
    markChanged(bag, op.now);
    settleState(bag, op.now);
    return answer(op, o.uid, a, index);
  });
};

export const deleteAttribute: OpHandler = async (p, ctx, op) => {
  const uid = p.uniqueIdentifier(ctx.idPlaceholder);
  let name: string | undefined = p.textOpt(Tag.AttributeName);
  let index = p.intOpt(Tag.AttributeIndex) ?? 0;
  if (name === undefined) {
    const current = p.structOpt(Tag.CurrentAttribute)?.children[0];
    const ref = p.enumOpt(Tag.AttributeReference);
    name = current ? attributeName(current.tag) : ref !== undefined ? attributeName(ref) : undefined;
    index = 0;
  }
  if (name === undefined) throw invalidField('the attribute to delete is required');
  const target = name;
  return mutate(op, uid, 'changed', (o) => {
    const bag = o.attributes;
    if (bag.all(target)[index] === undefined) throw attributeNotFound(op);
    checkClientChange(target, effectiveState(bag, op.now), 'delete');
    const [removed] = bag.delete(target, index);
    markChanged(bag, op.now);
    return answer(op, o.uid, { name: target, tag: isCustomAttributeName(target) ? undefined : removed!.tag, value: removed! }, index);
  });
};
