import { CryptographicUsageMask, ResultReason, State, UsageLimitsUnit } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import { ItemType } from '../codec/types.js';
import { V2_0 } from '../codec/version.js';
import { dateAttr, intAttr } from '../objects/document.js';
import { effectiveState, stateName } from '../objects/lifecycle.js';
import { KmipError } from '../protocol/errors.js';
import { Fields } from '../protocol/payload.js';
import type { Op } from './context.js';
import type { Target } from './targets.js';

/** One way of using a key: its usage-mask bit, and whether it protects (new output) or processes. */
export interface KeyUse {
  readonly bit: number;
  readonly name: string;
  readonly verb: string;
  readonly protecting: boolean;
}

export const KEY_USE = {
  encrypt: { bit: CryptographicUsageMask.Encrypt, name: 'Encrypt', verb: 'encrypt', protecting: true },
  decrypt: { bit: CryptographicUsageMask.Decrypt, name: 'Decrypt', verb: 'decrypt', protecting: false },
  macGenerate: { bit: CryptographicUsageMask.MACGenerate, name: 'MAC Generate', verb: 'generate a MAC', protecting: true },
  macVerify: { bit: CryptographicUsageMask.MACVerify, name: 'MAC Verify', verb: 'verify a MAC', protecting: false },
  deriveKey: { bit: CryptographicUsageMask.DeriveKey, name: 'Derive Key', verb: 'derive a key', protecting: true },
  wrapKey: { bit: CryptographicUsageMask.WrapKey, name: 'Wrap Key', verb: 'wrap a key', protecting: true },
  unwrapKey: { bit: CryptographicUsageMask.UnwrapKey, name: 'Unwrap Key', verb: 'unwrap a key', protecting: false },
} as const satisfies Record<string, KeyUse>;

/** What an ephemeral key may do: its attributes are fixed to Encrypt|Decrypt. */
const EPHEMERAL_MASK = CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt;

const denied = (msg: string): KmipError => new KmipError(ResultReason.PermissionDenied, msg);

function maskRefusal(op: Op, use: KeyUse): KmipError {
  return new KmipError(op.version >= V2_0 ? ResultReason.IncompatibleCryptographicUsageMask : ResultReason.PermissionDenied, `the key's usage mask does not allow ${use.name}`);
}

/**
 * May this key be used this way now? Usage mask, lifecycle state (protecting needs Active;
 * processing also allows Deactivated), and the Protect Stop / Process Start dates
 * (KMIP 1.4 §3.25, §3.26).
 */
export function checkUse(op: Op, t: Target, use: KeyUse): void {
  if (t.kind === 'ephemeral') {
    if ((EPHEMERAL_MASK & use.bit) === 0) throw maskRefusal(op, use);
    return;
  }
  const bag = t.object.attributes;
  const mask = intAttr(bag, 'Cryptographic Usage Mask') ?? 0;
  if ((mask & use.bit) === 0) throw maskRefusal(op, use);
  const state = effectiveState(bag, op.now);
  const allowed = use.protecting ? state === State.Active : state === State.Active || state === State.Deactivated;
  if (!allowed) throw denied(`a ${stateName(state)} key cannot ${use.verb}`);
  const t0 = op.now.getTime();
  if (use.protecting) {
    const stop = dateAttr(bag, 'Protect Stop Date');
    if (stop && stop.getTime() <= t0) throw denied('the key is past its Protect Stop Date');
  } else {
    const start = dateAttr(bag, 'Process Start Date');
    if (start && start.getTime() > t0) throw denied('the key is before its Process Start Date');
  }
}

/** Counts the request against Usage Limits, atomically in the store (shared by every node). */
export async function consumeUsage(op: Op, t: Target, dataBytes: number): Promise<void> {
  if (t.kind === 'ephemeral') return;
  const limits = t.object.attributes.first('Usage Limits');
  if (!limits || limits.type !== ItemType.Structure) return;
  const f = new Fields(limits, 'Usage Limits');
  const total = Number(f.longOpt(Tag.UsageLimitsTotal) ?? 0n);
  const amount = f.enumOpt(Tag.UsageLimitsUnit) === UsageLimitsUnit.Object ? 1 : dataBytes;
  if (!(await op.services.objects.consumeUsage(op.tenantId, t.object.uid, amount, total))) {
    throw new KmipError(op.version >= V2_0 ? ResultReason.UsageLimitExceeded : ResultReason.PermissionDenied, 'the key has reached its usage limit');
  }
}
