import { ResultReason } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import { text } from '../codec/types.js';
import * as lifecycle from '../objects/lifecycle.js';
import { KmipError } from '../protocol/errors.js';
import type { OpHandler } from './context.js';
import { mutate } from './mutate.js';
import { isEphemeralId } from '../objects/ephemeral.js';
import { resolveTarget } from './targets.js';

/** Activate. Ephemeral keys are born Active, so activating one succeeds and changes nothing. */
export const activate: OpHandler = async (p, ctx, op) => {
  const uid = p.uniqueIdentifier(ctx.idPlaceholder);
  if (isEphemeralId(uid)) {
    await resolveTarget(op, uid);
    return [text(Tag.UniqueIdentifier, uid)];
  }
  await mutate(op, uid, 'activated', (o) => lifecycle.activate(o.attributes, op.now));
  return [text(Tag.UniqueIdentifier, uid)];
};

export const revoke: OpHandler = async (p, ctx, op) => {
  const uid = p.uniqueIdentifier(ctx.idPlaceholder);
  const reason = p.struct(Tag.RevocationReason);
  const r: lifecycle.Revocation = {
    code: reason.enum(Tag.RevocationReasonCode),
    message: reason.textOpt(Tag.RevocationMessage),
    compromiseOccurrence: (() => {
      const d = p.dateTimeOpt(Tag.CompromiseOccurrenceDate);
      return d === undefined ? undefined : new Date(Number(d) * 1000);
    })(),
  };
  await mutate(op, uid, 'revoked', (o) => lifecycle.revoke(o.attributes, r, op.now));
  return [text(Tag.UniqueIdentifier, uid)];
};

/**
 * Destroy: refused while Active. Derived material is simply no longer derivable through this
 * object (marked destroyed); a registered secret's sealed blob is deleted. The metadata stays,
 * in state Destroyed, for the audit trail.
 */
export const destroy: OpHandler = async (p, ctx, op) => {
  const uid = p.uniqueIdentifier(ctx.idPlaceholder);
  if (isEphemeralId(uid)) {
    await resolveTarget(op, uid);
    throw new KmipError(ResultReason.PermissionDenied, 'ephemeral keys are never stored, so there is nothing to destroy');
  }
  await mutate(op, uid, 'destroyed', (o) => {
    lifecycle.destroy(o.attributes, op.now);
    o.material = { kind: 'destroyed', format: o.material.format };
  });
  return [text(Tag.UniqueIdentifier, uid)];
};
