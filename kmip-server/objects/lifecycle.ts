import { RevocationReasonCode, State } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import { dateTimeOf, enumeration, struct, text } from '../codec/types.js';
import { permissionDenied } from '../protocol/errors.js';
import type { AttributeBag } from './attribute-bag.js';
import { dateAttr, enumAttr } from './document.js';

/**
 * The KMIP key lifecycle (KMIP 1.4 §3.22 and the state diagram): Pre-Active → Active →
 * Deactivated / Compromised → Destroyed (Compromised). The Activation and Deactivation dates
 * move an object on their own when they pass, so the state a client sees is computed from the
 * stored state and the dates at the moment of the request; it is written back with the next
 * change.
 */
export function effectiveState(bag: AttributeBag, now: Date): number {
  const stored = enumAttr(bag, 'State') ?? State.PreActive;
  const t = now.getTime();
  if (stored === State.PreActive) {
    const activation = dateAttr(bag, 'Activation Date');
    if (activation && activation.getTime() <= t) {
      const deactivation = dateAttr(bag, 'Deactivation Date');
      return deactivation && deactivation.getTime() <= t ? State.Deactivated : State.Active;
    }
    return stored;
  }
  if (stored === State.Active) {
    const deactivation = dateAttr(bag, 'Deactivation Date');
    if (deactivation && deactivation.getTime() <= t) return State.Deactivated;
  }
  return stored;
}

export function isDestroyed(state: number): boolean {
  return state === State.Destroyed || state === State.DestroyedCompromised;
}

function touch(bag: AttributeBag, now: Date): void {
  bag.set('Last Change Date', dateTimeOf(Tag.LastChangeDate, now));
}

/** Writes the computed state so the stored one never lags (called before every write). */
export function settleState(bag: AttributeBag, now: Date): void {
  const s = effectiveState(bag, now);
  if (s !== enumAttr(bag, 'State')) bag.set('State', enumeration(Tag.State, s));
}

export function activate(bag: AttributeBag, now: Date): void {
  const s = effectiveState(bag, now);
  if (s !== State.PreActive) throw permissionDenied('only a Pre-Active object can be activated');
  bag.set('State', enumeration(Tag.State, State.Active));
  bag.set('Activation Date', dateTimeOf(Tag.ActivationDate, now));
  touch(bag, now);
}

export interface Revocation {
  readonly code: number;
  readonly message?: string;
  readonly compromiseOccurrence?: Date;
}

const COMPROMISE = new Set<number>([RevocationReasonCode.KeyCompromise, RevocationReasonCode.CACompromise]);

/**
 * Revoke: a compromise moves the object to Compromised (from any state but Destroyed, where it
 * becomes Destroyed Compromised); any other reason deactivates an Active or Pre-Active object.
 */
export function revoke(bag: AttributeBag, r: Revocation, now: Date): void {
  const s = effectiveState(bag, now);
  const reason = struct(Tag.RevocationReason, [
    enumeration(Tag.RevocationReasonCode, r.code),
    ...(r.message !== undefined ? [text(Tag.RevocationMessage, r.message)] : []),
  ]);
  if (COMPROMISE.has(r.code)) {
    const next = isDestroyed(s) ? State.DestroyedCompromised : State.Compromised;
    bag.set('State', enumeration(Tag.State, next));
    bag.set('Compromise Date', dateTimeOf(Tag.CompromiseDate, now));
    bag.set('Compromise Occurrence Date', dateTimeOf(Tag.CompromiseOccurrenceDate, r.compromiseOccurrence ?? now));
  } else {
    if (s !== State.Active && s !== State.PreActive) {
      throw permissionDenied(`a ${stateName(s)} object cannot be revoked for this reason`);
    }
    bag.set('State', enumeration(Tag.State, State.Deactivated));
    if (!bag.has('Deactivation Date') || (dateAttr(bag, 'Deactivation Date')?.getTime() ?? 0) > now.getTime()) {
      bag.set('Deactivation Date', dateTimeOf(Tag.DeactivationDate, now));
    }
  }
  bag.set('Revocation Reason', reason);
  touch(bag, now);
}

/** Destroy: refused while Active (KMIP: an Active object must be revoked first). */
export function destroy(bag: AttributeBag, now: Date): void {
  const s = effectiveState(bag, now);
  if (s === State.Active) throw permissionDenied('an Active object cannot be destroyed; revoke it first');
  if (isDestroyed(s)) throw permissionDenied('the object is already destroyed');
  bag.set('State', enumeration(Tag.State, s === State.Compromised ? State.DestroyedCompromised : State.Destroyed));
  bag.set('Destroy Date', dateTimeOf(Tag.DestroyDate, now));
  touch(bag, now);
}

export function markChanged(bag: AttributeBag, now: Date): void {
  touch(bag, now);
}

export function stateName(s: number): string {
  for (const [k, v] of Object.entries(State)) if (v === s) return k;
  return String(s);
}
