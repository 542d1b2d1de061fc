import graphene from 'graphene-pk11';
import type { StackInfo } from '../../../devstack/stack-info.js';

/**
 * Puts an AES-256 L1 key on the stack's SoftHSM token, as a customer would in their HSM:
 * sensitive and not extractable, usable for encrypt/decrypt and wrap/unwrap.
 */
export function createSoftHsmL1Key(softhsm: StackInfo['softhsm'], label: string): void {
  process.env.SOFTHSM2_CONF = softhsm.conf;
  const mod = graphene.Module.load(softhsm.module, 'SoftHSM');
  mod.initialize();
  try {
    const slots = mod.getSlots(true);
    let slot: graphene.Slot | undefined;
    for (let i = 0; i < slots.length; i++) {
      const candidate = slots.items(i);
      if (candidate.getToken().label.trim() === softhsm.tokenLabel) slot = candidate;
    }
    if (!slot) throw new Error(`no SoftHSM token labelled ${softhsm.tokenLabel}`);
    const session = slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
    try {
      session.login(softhsm.pin, graphene.UserType.USER);
      session.generateKey(graphene.KeyGenMechanism.AES, {
        keyType: graphene.KeyType.AES,
        label,
        id: Buffer.from(label),
        valueLen: 32,
        token: true,
        private: true,
        sensitive: true,
        extractable: false,
        encrypt: true,
        decrypt: true,
        wrap: true,
        unwrap: true,
      });
      session.logout();
    } finally {
      session.close();
    }
  } finally {
    mod.finalize();
  }
}
