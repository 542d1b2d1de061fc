import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import graphene from 'graphene-pk11';
import { acquireModule, findSlot, login, releaseModule, withSession } from '../../../lib/keystores/pkcs11/module-registry.js';
import { EmulatorUnavailable, firstExisting } from './process.js';

export interface SoftHsmToken {
  module: string;
  conf: string;
  tokenLabel: string;
  pin: string;
  soPin: string;
  /** Removes the token directory (only for tokens this helper created). */
  cleanup(): void;
}

export function softHsmModule(): string {
  const found = firstExisting([
    process.env.OPENKCM_SOFTHSM_MODULE,
    '/usr/lib/softhsm/libsofthsm2.so',
    '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
    '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
    '/usr/local/lib/softhsm/libsofthsm2.so',
  ]);
  if (!found) throw new EmulatorUnavailable('SoftHSM2 is not installed (Debian package softhsm2)');
  return found;
}

/**
 * Creates a fresh SoftHSM token in its own directory and points this process at it.
 * SOFTHSM2_CONF is read by C_Initialize, so call this before the first connector loads the module.
 */
export function initSoftHsmToken(options: { label?: string; pin?: string; soPin?: string } = {}): SoftHsmToken {
  const module = softHsmModule();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openkcm-softhsm-'));
  const tokens = path.join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = path.join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const label = options.label ?? 'openkcm-test';
  const pin = options.pin ?? '246810';
  const soPin = options.soPin ?? '13579111';
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    stdio: 'pipe',
  });
  process.env.SOFTHSM2_CONF = conf;
  return { module, conf, tokenLabel: label, pin, soPin, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestKeySpec {
  label: string;
  bits?: 128 | 192 | 256;
  sensitive?: boolean;
  extractable?: boolean;
  encrypt?: boolean;
  decrypt?: boolean;
  wrap?: boolean;
  unwrap?: boolean;
  id?: Buffer;
}

/** Generates AES token keys on the token (defaults: a proper L1, sensitive and non-extractable, every usage on). */
export async function createAesKeys(token: Pick<SoftHsmToken, 'module' | 'tokenLabel' | 'pin'>, specs: TestKeySpec[]): Promise<void> {
  const module = acquireModule(token.module);
  try {
    const slot = findSlot(module, { tokenLabel: token.tokenLabel });
    login(token.module, slot, token.pin);
    await withSession(token.module, slot, 1, async (session) => {
      for (const spec of specs) {
        session.generateKey(graphene.KeyGenMechanism.AES, {
          keyType: graphene.KeyType.AES,
          label: spec.label,
          id: spec.id ?? Buffer.from(spec.label),
          valueLen: (spec.bits ?? 256) / 8,
          token: true,
          private: true,
          sensitive: spec.sensitive ?? true,
          extractable: spec.extractable ?? false,
          encrypt: spec.encrypt ?? true,
          decrypt: spec.decrypt ?? true,
          wrap: spec.wrap ?? true,
          unwrap: spec.unwrap ?? true,
        });
      }
    });
  } finally {
    releaseModule(token.module);
  }
}

/** Reads what the HSM says about a key, including whether CKA_VALUE can be read (it must not be for an L1). */
export async function inspectKey(token: Pick<SoftHsmToken, 'module' | 'tokenLabel' | 'pin'>, label: string): Promise<{ sensitive: boolean; extractable: boolean; valueReadable: boolean }> {
  const module = acquireModule(token.module);
  try {
    const slot = findSlot(module, { tokenLabel: token.tokenLabel });
    login(token.module, slot, token.pin);
    return await withSession(token.module, slot, 1, async (session) => {
      const key = session.find({ class: graphene.ObjectClass.SECRET_KEY, label }).items(0);
      const attrs = key.getAttribute({ sensitive: null, extractable: null });
      let valueReadable = true;
      try {
        key.getAttribute({ value: null });
      } catch {
        valueReadable = false;
      }
      return { sensitive: attrs.sensitive === true, extractable: attrs.extractable === true, valueReadable };
    });
  } finally {
    releaseModule(token.module);
  }
}
