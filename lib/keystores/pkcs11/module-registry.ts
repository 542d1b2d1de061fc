import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import graphene from 'graphene-pk11';
import pkcs11 from 'pkcs11js';
import type { Module, Session, Slot } from 'graphene-pk11';
import { ckrName, mapPkcs11Error } from './errors.js';
import { KeystoreError } from '../types.js';

/**
 * PKCS#11 libraries hold process-wide state: C_Initialize may run once per process, and a login
 * applies to every session of the process on that token. So modules are loaded once and shared
 * (reference-counted), and each token has one login record and one session pool, whichever
 * connectors use it.
 */
interface LoadedModule {
  module: Module;
  refs: number;
  tokens: Map<string, TokenState>;
}

interface TokenState {
  slot: Slot;
  /** HMAC of the PIN that logged the token in; lets a second connector with a different PIN be refused. */
  pinDigest?: Buffer;
  idle: Session[];
  open: number;
  waiters: Array<{ resolve: (session: Session) => void; reject: (error: unknown) => void }>;
}

const modules = new Map<string, LoadedModule>();
/** Process-random key so PIN digests are useless outside this process. */
const digestKey = randomBytes(32);

function pinDigest(pin: string): Buffer {
  return createHmac('sha256', digestKey).update(pin, 'utf8').digest();
}

export function acquireModule(modulePath: string): Module {
  const loaded = modules.get(modulePath);
  if (loaded) {
    loaded.refs++;
    return loaded.module;
  }
  if (!existsSync(modulePath)) {
    throw new KeystoreError('invalid-config', `PKCS#11 library ${modulePath} does not exist on this host`, 'reachable');
  }
  let module: Module;
  try {
    module = graphene.Module.load(modulePath);
    // Async wrap/unwrap run on libuv's thread pool, concurrently with calls from the main thread.
    // With NULL init args a library may assume one thread (SoftHSM then disables its mutexes and
    // corrupts its heap under load), so ask for the OS's locking explicitly.
    module.initialize({ flags: pkcs11.CKF_OS_LOCKING_OK });
  } catch (error) {
    // C_Initialize failures (bad config file, missing token dir) are configuration problems of this host.
    throw new KeystoreError('invalid-config', `cannot load PKCS#11 library ${modulePath} (${ckrName(error) ?? 'load failed'})`, 'reachable', { cause: error });
  }
  modules.set(modulePath, { module, refs: 1, tokens: new Map() });
  return module;
}

export function releaseModule(modulePath: string): void {
  const loaded = modules.get(modulePath);
  if (!loaded) return;
  loaded.refs--;
  if (loaded.refs > 0) return;
  for (const token of loaded.tokens.values()) {
    for (const session of token.idle) closeQuietly(session);
  }
  modules.delete(modulePath);
  try {
    loaded.module.finalize();
  } catch {
    // Finalizing a library that is already gone is not worth failing a shutdown over.
  }
}

export interface TokenSelector {
  tokenLabel?: string;
  slotIndex?: number;
}

/** Finds the slot holding the token; an absent token is `unreachable` (it may be plugged back in). */
export function findSlot(module: Module, selector: TokenSelector): Slot {
  let slots;
  try {
    slots = module.getSlots(true);
  } catch (error) {
    throw mapPkcs11Error(error, 'reachable');
  }
  if (selector.slotIndex !== undefined) {
    if (selector.slotIndex >= slots.length) {
      throw new KeystoreError('unreachable', `no token in slot index ${selector.slotIndex} (${slots.length} slots have a token)`, 'reachable');
    }
    return slots.items(selector.slotIndex);
  }
  for (let i = 0; i < slots.length; i++) {
    const slot = slots.items(i);
    if (slot.getToken().label.trim() === selector.tokenLabel) return slot;
  }
  throw new KeystoreError('unreachable', `no token labelled "${selector.tokenLabel}" is present`, 'reachable');
}

function tokenState(modulePath: string, slot: Slot): TokenState {
  const loaded = modules.get(modulePath);
  if (!loaded) throw new KeystoreError('internal', 'PKCS#11 module used after release');
  const key = String(slot.handle.toString('hex'));
  let state = loaded.tokens.get(key);
  if (!state) {
    state = { slot, idle: [], open: 0, waiters: [] };
    loaded.tokens.set(key, state);
  }
  return state;
}

/**
 * Logs the process in to the token once. If it is already logged in (by another connector, or
 * earlier), the PIN must match the one that did it: PKCS#11 would otherwise accept any PIN.
 */
export function login(modulePath: string, slot: Slot, pin: string): void {
  const state = tokenState(modulePath, slot);
  const digest = pinDigest(pin);
  if (state.pinDigest) {
    if (!timingSafeEqual(state.pinDigest, digest)) {
      throw new KeystoreError('access-denied', 'the token rejected the PIN (CKR_PIN_INCORRECT)', 'authenticated');
    }
    return;
  }
  const session = openSession(slot);
  try {
    session.login(pin, graphene.UserType.USER);
  } catch (error) {
    if (ckrName(error) !== 'CKR_USER_ALREADY_LOGGED_IN') {
      closeQuietly(session);
      throw mapPkcs11Error(error, 'authenticated');
    }
    // Logged in outside this registry: we cannot know that PIN, so check this one by logging out and in.
    try {
      session.logout();
      session.login(pin, graphene.UserType.USER);
    } catch (inner) {
      closeQuietly(session);
      throw mapPkcs11Error(inner, 'authenticated');
    }
  }
  state.pinDigest = digest;
  state.idle.push(session);
  state.open++;
}

function openSession(slot: Slot): Session {
  try {
    return slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
  } catch (error) {
    throw mapPkcs11Error(error, 'authenticated');
  }
}

function closeQuietly(session: Session): void {
  try {
    session.close();
  } catch {
    // already closed by the library (token removed)
  }
}

/**
 * Runs `fn` on a session of the token, one operation per session at a time. Sessions are opened
 * up to `poolSize` and kept; a session that the library declares dead is dropped, not returned.
 */
export async function withSession<T>(modulePath: string, slot: Slot, poolSize: number, fn: (session: Session) => Promise<T>): Promise<T> {
  const state = tokenState(modulePath, slot);
  const session = await takeSession(state, poolSize);
  let healthy = true;
  try {
    return await fn(session);
  } catch (error) {
    const name = ckrName(error);
    if (name === 'CKR_SESSION_HANDLE_INVALID' || name === 'CKR_SESSION_CLOSED' || name === 'CKR_DEVICE_REMOVED' || name === 'CKR_TOKEN_NOT_PRESENT') {
      healthy = false;
      // A removed token also ends the login: the next use must log in again.
      state.pinDigest = undefined;
    }
    throw error;
  } finally {
    giveBack(state, session, healthy);
  }
}

async function takeSession(state: TokenState, poolSize: number): Promise<Session> {
  const idle = state.idle.pop();
  if (idle) return idle;
  if (state.open < poolSize) {
    state.open++;
    try {
      return openSession(state.slot);
    } catch (error) {
      state.open--;
      throw error;
    }
  }
  return new Promise((resolve, reject) => state.waiters.push({ resolve, reject }));
}

function giveBack(state: TokenState, session: Session, healthy: boolean): void {
  const waiter = state.waiters.shift();
  if (healthy) {
    if (waiter) waiter.resolve(session);
    else state.idle.push(session);
    return;
  }
  closeQuietly(session);
  state.open--;
  if (!waiter) return;
  // The waiter still needs a session: open a replacement (or tell it why there is none).
  try {
    state.open++;
    waiter.resolve(openSession(state.slot));
  } catch (error) {
    state.open--;
    waiter.reject(error);
  }
}
