import * as graphene from 'graphene-pk11';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../../support/stack.js';

describe('SoftHSM2 through graphene-pk11', () => {
  let mod: graphene.Module;
  let session: graphene.Session;

  beforeAll(() => {
    // SoftHSM reads its config (where the stack's token lives) at C_Initialize.
    process.env.SOFTHSM2_CONF = stack().softhsm.conf;
    mod = graphene.Module.load(stack().softhsm.module, 'SoftHSM2');
    mod.initialize();
    const slot = Array.from({ length: mod.getSlots(true).length }, (_, i) => mod.getSlots(true).items(i)).find(
      (s) => s.getToken().label.trim() === stack().softhsm.tokenLabel,
    );
    if (!slot) throw new Error(`token ${stack().softhsm.tokenLabel} not found`);
    session = slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
    session.login(stack().softhsm.pin, graphene.UserType.USER);
  });
  afterAll(() => {
    session?.logout();
    session?.close();
    mod?.finalize();
  });

  it('generates an AES-256 key that is sensitive and not extractable', () => {
    const key = session.generateKey(graphene.KeyGenMechanism.AES, {
      keyType: graphene.KeyType.AES,
      label: 'smoke-aes',
      valueLen: 32,
      token: false,
      sensitive: true,
      extractable: false,
      encrypt: true,
      decrypt: true,
      wrap: true,
      unwrap: true,
    });
    try {
      expect(key.getAttribute({ sensitive: null }).sensitive).toBe(true);
      expect(key.getAttribute({ extractable: null }).extractable).toBe(false);
      expect(key.getAttribute({ neverExtractable: null }).neverExtractable).toBe(true);
      // The HSM refuses to hand out the value.
      expect(() => key.getAttribute({ value: null })).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);

      // And it does work as a key: an AES-GCM round trip inside the HSM.
      const iv = Buffer.alloc(12, 7);
      const params = new graphene.AesGcm240Params(iv, Buffer.from('aad'), 128);
      const ct = session.createCipher({ name: 'AES_GCM', params }, key).once(Buffer.from('secret'), Buffer.alloc(64));
      const pt = session.createDecipher({ name: 'AES_GCM', params }, key).once(ct, Buffer.alloc(64));
      expect(pt.toString()).toBe('secret');
    } finally {
      key.destroy();
    }
  });
});
