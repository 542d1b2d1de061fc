import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../../lib/keystores/factory.js';
import type { L1Connector } from '../../../lib/keystores/types.js';
import { EmulatorUnavailable } from '../../support/emulators/process.js';
import { createAesKeys, initSoftHsmToken, inspectKey } from '../../support/emulators/softhsm.js';
import type { SoftHsmToken } from '../../support/emulators/softhsm.js';
import { caught, runningStack, statuses, transcript } from './fixtures.js';

const tenantA = { tenantId: 'tenant-a', purpose: 'l2', l2Version: 1 };
const tenantB = { tenantId: 'tenant-b', purpose: 'l2', l2Version: 1 };
const WRONG_PIN = '97531864';

let token: Pick<SoftHsmToken, 'module' | 'tokenLabel' | 'pin'> & { cleanup?: () => void };
let skipReason: string | undefined;
const suffix = randomBytes(3).toString('hex');
const label = (name: string) => `${name}-${suffix}`;
const opened: L1Connector[] = [];

function connector(keyLabel: string, overrides: Record<string, unknown> = {}, pin: string = token.pin): L1Connector {
  const c = createConnector({ kind: 'pkcs11', modulePath: token.module, tokenLabel: token.tokenLabel, keyLabel, ...overrides }, { pin });
  opened.push(c);
  return c;
}

beforeAll(async () => {
  try {
    const fromStack = runningStack()?.softhsm;
    if (fromStack) {
      process.env.SOFTHSM2_CONF = fromStack.conf;
      token = fromStack;
    } else {
      token = initSoftHsmToken();
    }
  } catch (error) {
    if (error instanceof EmulatorUnavailable) {
      skipReason = error.message;
      return;
    }
    throw error;
  }
  await createAesKeys(token, [
    { label: label('l1') },
    { label: label('l1-128'), bits: 128 },
    { label: label('extractable'), extractable: true },
    { label: label('not-sensitive'), sensitive: false },
    { label: label('no-unwrap'), decrypt: false, unwrap: false },
    { label: label('twin'), id: Buffer.from('01', 'hex') },
    { label: label('twin'), id: Buffer.from('02', 'hex') },
  ]);
});

afterAll(async () => {
  for (const c of opened) await c.close();
  token?.cleanup?.();
});

describe('PKCS#11 connector on SoftHSM2', () => {
  // First, while the token is not yet logged in, so the PIN goes through a real C_Login.
  it('ends at authenticated for a wrong PIN, permanent, without the PIN in any message', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const c = connector(label('l1'), {}, WRONG_PIN);
    const live: unknown[] = [];
    const d = await c.testConnection({ onStep: (step) => live.push(step) });
    // Skipped steps are reported too, with the redacted messages testConnection returns.
    expect(live).toEqual(d.steps);
    expect(statuses(d)).toBe('reachable:passed authenticated:failed key-exists:skipped enabled:skipped usage:skipped round-trip:skipped');
    expect(d.steps[1]).toMatchObject({ code: 'access-denied' });
    expect(d.steps[1]?.message).toMatch(/PIN/);
    expect(d.retryable).toBe(false);
    const e = await caught(c.wrap(randomBytes(32), tenantA));
    expect(e.code).toBe('access-denied');
    expect(transcript(d, e)).not.toContain(WRONG_PIN);
    expect(transcript(d, e)).not.toContain(token.pin);
  });

  for (const mechanism of ['aes-gcm', 'aes-key-wrap-pad'] as const) {
    it(`${mechanism}: passes every step, round-trips a 32-byte L2, refuses another tenant's context`, async (ctx) => {
      if (skipReason) ctx.skip(skipReason);
      const c = connector(label('l1'), { mechanism });
      const d = await c.testConnection();
      expect(statuses(d)).toBe('reachable:passed authenticated:passed key-exists:passed enabled:passed usage:passed round-trip:passed');
      expect(d.steps[4]?.message).toMatch(/sensitive, non-extractable AES-256/);
      expect(d.key).toMatchObject({ state: 'enabled', algorithm: 'AES-256' });

      const l2 = randomBytes(32);
      const wrapped = await c.wrap(l2, tenantA);
      expect(wrapped.includes(l2)).toBe(false);
      const back = await c.unwrap(wrapped, tenantA);
      expect(back.equals(l2)).toBe(true);
      const e = await caught(c.unwrap(wrapped, tenantB));
      expect(e.code).toBe('crypto-failure');
      expect(e.retryable).toBe(false);
      const tampered = Buffer.from(wrapped);
      tampered[tampered.length - 1]! ^= 1;
      expect((await caught(c.unwrap(tampered, tenantA))).code).toBe('crypto-failure');
    });
  }

  it('a wrong PIN is refused even while another connector has the token logged in', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    await connector(label('l1')).testConnection();
    const d = await connector(label('l1'), {}, WRONG_PIN).testConnection();
    expect(d.failedStep).toBe('authenticated');
    expect(transcript(d)).not.toContain(WRONG_PIN);
  });

  it('a blob made with one mechanism is not read as the other', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const gcmBlob = await connector(label('l1')).wrap(randomBytes(32), tenantA);
    const e = await caught(connector(label('l1'), { mechanism: 'aes-key-wrap-pad' }).unwrap(gcmBlob, tenantA));
    expect(e.code).toBe('crypto-failure');
  });

  it('ends at key-exists for a missing key, and asks for keyId when a label is ambiguous', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const d = await connector(label('missing')).testConnection();
    expect(d.failedStep).toBe('key-exists');
    expect(d.steps[2]).toMatchObject({ code: 'not-found' });
    const twin = await connector(label('twin')).testConnection();
    expect(twin.failedStep).toBe('key-exists');
    expect(twin.steps[2]?.message).toMatch(/set keyId/);
    expect((await connector(label('twin'), { keyId: '02' }).testConnection()).ok).toBe(true);
  });

  it('ends at usage for a key without decrypt/unwrap permission (the SoftHSM "disabled key")', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    for (const [mechanism, missing] of [
      ['aes-gcm', 'CKA_DECRYPT'],
      ['aes-key-wrap-pad', 'CKA_UNWRAP'],
    ] as const) {
      const c = connector(label('no-unwrap'), { mechanism });
      const d = await c.testConnection();
      expect(statuses(d)).toBe('reachable:passed authenticated:passed key-exists:passed enabled:passed usage:failed round-trip:skipped');
      expect(d.steps[4]).toMatchObject({ code: 'wrong-usage' });
      expect(d.steps[4]?.message).toContain(missing);
      expect((await caught(c.wrap(randomBytes(32), tenantA))).code).toBe('wrong-usage');
    }
  });

  it('refuses an extractable or non-sensitive key at usage, and wrap fails closed on it', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const extractable = connector(label('extractable'));
    const d1 = await extractable.testConnection();
    expect(d1.failedStep).toBe('usage');
    expect(d1.steps[4]).toMatchObject({ code: 'insecure-key' });
    expect(d1.steps[4]?.message).toMatch(/CKA_EXTRACTABLE is true/);
    expect((await caught(extractable.wrap(randomBytes(32), tenantA))).code).toBe('insecure-key');

    const d2 = await connector(label('not-sensitive')).testConnection();
    expect(d2.failedStep).toBe('usage');
    expect(d2.steps[4]?.message).toMatch(/CKA_SENSITIVE is false/);
  });

  it('L1 material stays in the HSM: the key is sensitive, non-extractable and its value unreadable', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    expect(await inspectKey(token, label('l1'))).toEqual({ sensitive: true, extractable: false, valueReadable: false });
    expect(await inspectKey(token, label('extractable'))).toMatchObject({ extractable: true });
  });

  it('ends at reachable for an absent token (transient) or a missing library (permanent)', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const absent = await connector(label('l1'), { tokenLabel: 'no-such-token' }).testConnection();
    expect(statuses(absent)).toBe('reachable:failed authenticated:skipped key-exists:skipped enabled:skipped usage:skipped round-trip:skipped');
    expect(absent.steps[0]).toMatchObject({ code: 'unreachable' });
    expect(absent.retryable).toBe(true);
    const noLib = await connector(label('l1'), { modulePath: '/nonexistent/libpkcs11.so' }).testConnection();
    expect(noLib.steps[0]).toMatchObject({ status: 'failed', code: 'invalid-config' });
    expect(noLib.retryable).toBe(false);
  });

  it('selects the token by slot index too, and serves concurrent calls from a small session pool', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const c = createConnector({ kind: 'pkcs11', modulePath: token.module, slotIndex: 0, keyLabel: label('l1'), sessionPoolSize: 2 }, { pin: token.pin });
    opened.push(c);
    const payloads = Array.from({ length: 24 }, () => randomBytes(32));
    const wrapped = await Promise.all(payloads.map((p) => c.wrap(p, tenantA)));
    const back = await Promise.all(wrapped.map((w) => c.unwrap(w, tenantA)));
    back.forEach((b, i) => expect(b.equals(payloads[i]!)).toBe(true));
  });

  it('stays sound under parallel load from libuv threads and the main thread (the library is initialised for OS locking)', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    // SoftHSM initialised with NULL args runs without mutexes; this load then corrupted its heap
    // and killed the process within a few hundred calls.
    const gcm = connector(label('l1'), { sessionPoolSize: 8 });
    const kwp = connector(label('l1'), { sessionPoolSize: 8, mechanism: 'aes-key-wrap-pad' });
    const roundTrips = (c: L1Connector) =>
      Array.from({ length: 200 }, async () => {
        const l2 = randomBytes(32);
        const [back] = await Promise.all([c.wrap(l2, tenantA).then((w) => c.unwrap(w, tenantA)), c.describe()]);
        return back.equals(l2);
      });
    const results = await Promise.all([...roundTrips(gcm), ...roundTrips(kwp)]);
    expect(results.filter((ok) => !ok)).toEqual([]);
    expect(results).toHaveLength(400);
  });

  it('rejects bad settings with field names only', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    expect(() => createConnector({ kind: 'pkcs11', modulePath: 'relative.so', keyLabel: 'x' }, { pin: token.pin })).toThrow(/modulePath.*absolute[\s\S]*tokenLabel/);
    expect(() => createConnector({ kind: 'pkcs11', modulePath: token.module, tokenLabel: 't', keyLabel: 'x' }, {})).toThrow(/pin/);
  });
});
