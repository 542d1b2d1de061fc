import { describe, expect, it } from 'vitest';
import { CryptographicAlgorithm, LinkType, NameType, ObjectType, RevocationReasonCode, State } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import { dateTimeOf, enumeration, int, long, struct, text } from '../codec/types.js';
import { AttributeBag } from './attribute-bag.js';
import { fromDocument, matchKey, toDocument } from './document.js';
import { activate, destroy, effectiveState, revoke, settleState } from './lifecycle.js';
import type { ManagedObject } from './model.js';

const now = new Date('2026-01-01T00:00:00Z');
const name = (v: string) => struct(Tag.Name, [text(Tag.NameValue, v), enumeration(Tag.NameType, NameType.UninterpretedTextString)]);

function object(bag: AttributeBag): ManagedObject {
  return {
    uid: 'b7f1c2d4-0000-4000-8000-000000000001',
    tenantId: 'acme',
    owner: 'mongodb',
    objectType: ObjectType.SymmetricKey,
    attributes: bag,
    material: { kind: 'derived', l2Version: 2, length: 32, format: { keyFormatType: 1 } },
    usageUsed: 0,
    rev: 4,
  };
}

describe('kmipObjects documents', () => {
  it('round-trip every attribute exactly and mirror the typed fields', () => {
    const bag = AttributeBag.from([
      ['Cryptographic Algorithm', enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.AES)],
      ['Cryptographic Length', int(Tag.CryptographicLength, 256)],
      ['Cryptographic Usage Mask', int(Tag.CryptographicUsageMask, 12)],
      ['Name', name('first')],
      ['Name', name('second')],
      ['State', enumeration(Tag.State, State.Active)],
      ['Initial Date', dateTimeOf(Tag.InitialDate, now)],
      ['Link', struct(Tag.Link, [enumeration(Tag.LinkType, LinkType.ReplacementObjectLink), text(Tag.LinkedObjectIdentifier, 'next')])],
      ['x-ticket', text(Tag.AttributeValue, 'OPS-42')],
      ['x-count', long(Tag.AttributeValue, 1n << 40n)],
    ]);
    const doc = toDocument(object(bag));
    expect(doc).toMatchObject({
      _id: 'b7f1c2d4-0000-4000-8000-000000000001',
      tenantId: 'acme',
      owner: 'mongodb',
      state: State.Active,
      cryptographicAlgorithm: CryptographicAlgorithm.AES,
      cryptographicLength: 256,
      cryptographicUsageMask: 12,
      names: ['first', 'second'],
      dates: { initial: now },
      links: [{ type: LinkType.ReplacementObjectLink, id: 'next' }],
      material: { kind: 'derived', l2Version: 2, length: 32 },
      rev: 4,
    });
    expect(doc.match).toContain(matchKey('Name', name('second')));
    expect(doc.match).toContain(matchKey('x-ticket', text(Tag.AttributeValue, 'OPS-42')));
    expect(doc.match.some((m) => m.startsWith('State='))).toBe(false); // State follows the dates: not an equality key
    const back = fromDocument(doc);
    expect(back.attributes.entries()).toEqual(bag.entries());
    expect(back.material).toEqual(object(bag).material);
  });

  it('keep the attributes in one binary field, and still read documents that hold them as an array', () => {
    const bag = AttributeBag.from([
      ['Name', name('legacy')],
      ['x-ticket', text(Tag.AttributeValue, 'OPS-7')],
    ]);
    const doc = toDocument(object(bag));
    expect(doc.attributes).toBeInstanceOf(Uint8Array);
    const legacy = { ...doc, attributes: bag.toStored() };
    expect(fromDocument(legacy).attributes.entries()).toEqual(bag.entries());
  });
});

describe('key lifecycle', () => {
  const fresh = (): AttributeBag => AttributeBag.from([['State', enumeration(Tag.State, State.PreActive)]]);

  it('follows the dates: an Activation Date in the past makes the object Active, a Deactivation Date deactivates it', () => {
    const bag = fresh();
    expect(effectiveState(bag, now)).toBe(State.PreActive);
    bag.set('Activation Date', dateTimeOf(Tag.ActivationDate, new Date(now.getTime() - 1000)));
    expect(effectiveState(bag, now)).toBe(State.Active);
    bag.set('Deactivation Date', dateTimeOf(Tag.DeactivationDate, new Date(now.getTime() + 1000)));
    expect(effectiveState(bag, now)).toBe(State.Active);
    expect(effectiveState(bag, new Date(now.getTime() + 2000))).toBe(State.Deactivated);
    settleState(bag, now);
    expect(bag.first('State')).toEqual(enumeration(Tag.State, State.Active));
  });

  it('activates only Pre-Active objects, refuses to destroy Active ones, and revokes by reason', () => {
    const bag = fresh();
    activate(bag, now);
    expect(effectiveState(bag, now)).toBe(State.Active);
    expect(() => activate(bag, now)).toThrow(/Pre-Active/);
    expect(() => destroy(bag, now)).toThrow(/Active object cannot be destroyed/);
    const compromised = bag.clone();
    revoke(compromised, { code: RevocationReasonCode.KeyCompromise, compromiseOccurrence: new Date(6000) }, now);
    expect(effectiveState(compromised, now)).toBe(State.Compromised);
    destroy(compromised, now);
    expect(effectiveState(compromised, now)).toBe(State.DestroyedCompromised);
    revoke(bag, { code: RevocationReasonCode.CessationOfOperation }, now);
    expect(effectiveState(bag, now)).toBe(State.Deactivated);
    expect(bag.has('Deactivation Date')).toBe(true);
    destroy(bag, now);
    expect(effectiveState(bag, now)).toBe(State.Destroyed);
    expect(() => destroy(bag, now)).toThrow(/already destroyed/);
  });
});
