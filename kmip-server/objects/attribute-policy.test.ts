import { describe, expect, it } from 'vitest';
import { CryptographicAlgorithm, RNGAlgorithm, State } from '../codec/enums.js';
import { Tag } from '../codec/tags.js';
import { enumeration, int, struct, text } from '../codec/types.js';
import { checkClientChange, checkSettableAtCreation } from './attribute-policy.js';

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
});
