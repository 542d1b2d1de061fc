import { Operation } from '../codec/enums.js';
import type { Handler } from '../protocol/dispatch.js';
import { addAttribute, deleteAttribute, getAttributeList, getAttributes, modifyAttribute } from './attributes.js';
import { audited } from './audited.js';
import type { OpHandler, Session } from './context.js';
import { create } from './create.js';
import { decrypt, encrypt } from './crypt.js';
import { deriveKey } from './derive-key.js';
import { get } from './get.js';
import { activate, destroy, revoke } from './lifecycle.js';
import { locate } from './locate.js';
import { mac, macVerify } from './mac.js';
import { register } from './register.js';
import { reKey } from './rekey.js';
import { hash, rngRetrieve, rngSeed } from './rng-hash.js';
import { discoverVersions, query } from './server-info.js';

/**
 * Operation → handler. Every handler is audited; those that touch tenant keys or objects are
 * gated on the tenant's L1 state (not the ones that describe the server, or RNG and Hash).
 */
const TABLE: ReadonlyArray<readonly [number, string, OpHandler, boolean]> = [
  [Operation.DiscoverVersions, 'DiscoverVersions', discoverVersions, false],
  [Operation.Query, 'Query', query, false],
  [Operation.Create, 'Create', create, true],
  [Operation.Register, 'Register', register, true],
  [Operation.ReKey, 'ReKey', reKey, true],
  [Operation.Get, 'Get', get, true],
  [Operation.GetAttributes, 'GetAttributes', getAttributes, true],
  [Operation.GetAttributeList, 'GetAttributeList', getAttributeList, true],
  [Operation.AddAttribute, 'AddAttribute', addAttribute, true],
  [Operation.ModifyAttribute, 'ModifyAttribute', modifyAttribute, true],
  [Operation.DeleteAttribute, 'DeleteAttribute', deleteAttribute, true],
  [Operation.Activate, 'Activate', activate, true],
  [Operation.Revoke, 'Revoke', revoke, true],
  [Operation.Destroy, 'Destroy', destroy, true],
  [Operation.Locate, 'Locate', locate, true],
  [Operation.Encrypt, 'Encrypt', encrypt, true],
  [Operation.Decrypt, 'Decrypt', decrypt, true],
  [Operation.DeriveKey, 'DeriveKey', deriveKey, true],
  [Operation.MAC, 'MAC', mac, true],
  [Operation.MACVerify, 'MACVerify', macVerify, true],
  [Operation.RNGRetrieve, 'RNGRetrieve', rngRetrieve, false],
  [Operation.RNGSeed, 'RNGSeed', rngSeed, false],
  [Operation.Hash, 'Hash', hash, false],
];

export function kmipHandlers(): Map<number, Handler<Session>> {
  return new Map(TABLE.map(([op, name, fn, gated]) => [op, audited(name, fn, { gated })]));
}

export { SUPPORTED_VERSIONS } from './server-info.js';
