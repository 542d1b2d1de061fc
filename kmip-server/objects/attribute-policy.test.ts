import { describe, expect, it } from 'vitest';
import { CryptographicAlgorithm, RNGAlgorithm, State } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import { bool, enumeration, int, struct, text } from '../codec/types.js';
import { checkClientChange, checkSettableAtCreation, checkValueChange } from './attribute-policy.js';

const rng = struct(Tag.RandomNumberGenerator, [enumeration(Tag.RNGAlgorithm, RNGAlgorithm.DRBG), enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.AES)]);

describe('attribute policy', () => {
  it('lets a client name the RNG of material it registers, never of material the server generates', () => {
    expect(() => checkSettableAtCreation('Random Number Generator', rng, true)).not.toThrow();
    expect(() => checkSettableAtCreation('Random Number Generator', rng)).toThrow(/set by the server/);
    expect(() => checkSettableAtCreation('Random Number Generator', int(Tag.RandomNumberGenerator, 1), true)).toThrow(/wrong type/);
    expect(() => checkClientChange('Random Number Generator', State.Active, 'modify')).toThrow(/cannot be changed/);
  });

  it('keeps server-maintained attributes out of client hands, registering or not', () => {
    expect(() => checkSettableAtCreation('Unique Identifier', text(Tag.UniqueIdentifier, 'mine'), true)).toThrow(/set by the server/);
    expect(() => checkSettableAtCreation('State', enumeration(Tag.State, State.Active), true)).toThrow(/set by the server/);
    expect(() => checkSettableAtCreation('no such attribute', text(Tag.AttributeValue, 'x'))).toThrow(/unknown attribute/);
  });

  it('lets the key-protection flags only tighten: Sensitive false→true, Extractable true→false', () => {
    const sensitive = (v: boolean) => bool(Tag.Sensitive, v);
    const extractable = (v: boolean) => bool(Tag.Extractable, v);
    expect(() => checkValueChange('Sensitive', sensitive(false), sensitive(true))).not.toThrow();
    expect(() => checkValueChange('Sensitive', sensitive(true), sensitive(false))).toThrow(/only be tightened/);
    expect(() => checkValueChange('Extractable', extractable(true), extractable(false))).not.toThrow();
    expect(() => checkValueChange('Extractable', extractable(false), extractable(true))).toThrow(/only be tightened/);
    expect(() => checkValueChange('Description', text(Tag.Description, 'a'), text(Tag.Description, 'b'))).not.toThrow();
  });
});
