import { attributeTag, isCustomAttributeName } from '../codec/attributes.js';
import { State } from '../codec/enums.js';
import type { TtlvItem } from '../codec/types.js';
import { ItemType } from '../codec/types.js';
import { invalidField, permissionDenied } from '../protocol/errors.js';

/**
 * Who may set which attribute, when, and how many instances it may have (KMIP 1.4 §3, the
 * "Modifiable by client / Deletable by client / Multiple instances" rows of each attribute).
 */

/** Set and maintained by the server only. */
export const SERVER_ONLY: ReadonlySet<string> = new Set([
  'Unique Identifier',
  'State',
  'Initial Date',
  'Last Change Date',
  'Destroy Date',
  'Compromise Date',
  'Compromise Occurrence Date',
  'Revocation Reason',
  'Archive Date',
  'Digest',
  'Fresh',
  'Key Value Present',
  'Random Number Generator',
  'Always Sensitive',
  'Never Extractable',
  'Lease Time',
  'Certificate Type',
  'Certificate Length',
  'Certificate Identifier',
  'Certificate Subject',
  'Certificate Issuer',
  'X.509 Certificate Identifier',
  'X.509 Certificate Subject',
  'X.509 Certificate Issuer',
  'Digital Signature Algorithm',
]);

/** Fixed once the object exists (a client may give them at Create/Register, not change them). */
export const FIXED_AFTER_CREATION: ReadonlySet<string> = new Set([
  'Object Type',
  'Cryptographic Algorithm',
  'Cryptographic Length',
  'Cryptographic Domain Parameters',
  'Cryptographic Usage Mask',
  'Original Creation Date',
  'Usage Limits',
]);

export const MULTI_INSTANCE: ReadonlySet<string> = new Set([
  'Name',
  'Object Group',
  'Link',
  'Application Specific Information',
  'Alternative Name',
  'Key Value Location',
  'Cryptographic Parameters',
  'Digest',
]);

export const DELETABLE: ReadonlySet<string> = new Set([
  'Name',
  'Object Group',
  'Link',
  'Application Specific Information',
  'Contact Information',
  'Alternative Name',
  'Key Value Location',
  'Operation Policy Name',
  'Cryptographic Parameters',
  'Description',
  'Comment',
]);

/** Dates a client may change only in the listed states. */
const DATE_STATES: ReadonlyMap<string, readonly number[]> = new Map([
  ['Activation Date', [State.PreActive]],
  ['Process Start Date', [State.PreActive]],
  ['Deactivation Date', [State.PreActive, State.Active]],
  ['Protect Stop Date', [State.PreActive, State.Active]],
]);

const EXPECTED_TYPE: ReadonlyMap<string, number> = new Map([
  ['Name', ItemType.Structure],
  ['Object Type', ItemType.Enumeration],
  ['Cryptographic Algorithm', ItemType.Enumeration],
  ['Cryptographic Length', ItemType.Integer],
  ['Cryptographic Usage Mask', ItemType.Integer],
  ['Random Number Generator', ItemType.Structure],
  ['Cryptographic Parameters', ItemType.Structure],
  ['Activation Date', ItemType.DateTime],
  ['Deactivation Date', ItemType.DateTime],
  ['Process Start Date', ItemType.DateTime],
  ['Protect Stop Date', ItemType.DateTime],
  ['Original Creation Date', ItemType.DateTime],
  ['Object Group', ItemType.TextString],
  ['Contact Information', ItemType.TextString],
  ['Operation Policy Name', ItemType.TextString],
  ['Application Specific Information', ItemType.Structure],
  ['Alternative Name', ItemType.Structure],
  ['Key Value Location', ItemType.Structure],
  ['Link', ItemType.Structure],
  ['Usage Limits', ItemType.Structure],
  ['Description', ItemType.TextString],
  ['Comment', ItemType.TextString],
  ['Sensitive', ItemType.Boolean],
  ['Extractable', ItemType.Boolean],
]);

/** Checks a client-given attribute's name and type; returns the canonical name. */
export function checkClientAttribute(name: string, value: TtlvItem): void {
  if (attributeTag(name) === undefined && !isCustomAttributeName(name)) throw invalidField(`unknown attribute "${name}"`);
  const expected = EXPECTED_TYPE.get(name);
  if (expected !== undefined && value.type !== expected) throw invalidField(`attribute ${name} has the wrong type`);
}

/** Server-set for objects the server generates, but a client registering its own material may say which RNG made it (KMIP 1.4 §3.44). */
const CLIENT_SETS_WHEN_REGISTERING: ReadonlySet<string> = new Set(['Random Number Generator']);

/** May a client give this attribute when the object is created (`registering` false) or registered? */
export function checkSettableAtCreation(name: string, value: TtlvItem, registering = false): void {
  checkClientAttribute(name, value);
  if (SERVER_ONLY.has(name) && !(registering && CLIENT_SETS_WHEN_REGISTERING.has(name))) throw invalidField(`attribute ${name} is set by the server`);
}

/** May a client add, modify or delete this attribute on an object in `state`? */
export function checkClientChange(name: string, state: number, change: 'add' | 'modify' | 'delete'): void {
  if (SERVER_ONLY.has(name) || FIXED_AFTER_CREATION.has(name)) throw permissionDenied(`attribute ${name} cannot be changed by a client`);
  const states = DATE_STATES.get(name);
  if (states && !states.includes(state)) throw permissionDenied(`attribute ${name} cannot be changed in the object's current state`);
  if (change === 'delete' && !DELETABLE.has(name) && !isCustomAttributeName(name)) throw permissionDenied(`attribute ${name} cannot be deleted`);
}

/**
 * Key-protection flags only ever tighten, as their PKCS#11 models CKA_SENSITIVE and
 * CKA_EXTRACTABLE: Sensitive may go from false to true, Extractable from true to false.
 */
const TIGHTENED_VALUE: ReadonlyMap<string, boolean> = new Map([
  ['Sensitive', true],
  ['Extractable', false],
]);

export function checkValueChange(name: string, current: TtlvItem | undefined, next: TtlvItem): void {
  const tight = TIGHTENED_VALUE.get(name);
  if (tight !== undefined && current?.value === tight && next.value !== tight) {
    throw permissionDenied(`attribute ${name} can only be tightened: a key once ${tight ? 'sensitive' : 'not extractable'} stays so`);
  }
}

export function isMultiInstance(name: string): boolean {
  return MULTI_INSTANCE.has(name) || isCustomAttributeName(name);
}
