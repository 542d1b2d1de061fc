import { Binary } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_SUBTYPE, decodeEnvelope, encodeEnvelope, storedEnvelopeBytes, type FieldEnvelope } from './envelope.js';

const envelope: FieldEnvelope = {
  mode: 'randomized',
  keyId: 'e2.acme.1.AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBB',
  iv: Buffer.alloc(12, 1),
  tag: Buffer.alloc(16, 2),
  ciphertext: Buffer.from('ciphertext'),
};

describe('stored envelopes', () => {
  it('reads back exactly the envelope a Binary holds, also when its buffer has spare capacity', () => {
    const encoded = encodeEnvelope(envelope);
    expect(decodeEnvelope(storedEnvelopeBytes(new Binary(encoded, ENVELOPE_SUBTYPE))!)).toEqual(envelope);
    // A Binary written into grows a buffer larger than its contents: only `length()` bytes count.
    const grown = new Binary(undefined, ENVELOPE_SUBTYPE);
    grown.write(encoded, 0);
    expect(grown.buffer.length).toBeGreaterThan(encoded.length);
    expect(storedEnvelopeBytes(grown)).toEqual(encoded);
  });

  it('is undefined for anything but a Binary of the envelope subtype', () => {
    for (const value of [undefined, null, 'John Doe', 42, encodeEnvelope(envelope), new Binary(encodeEnvelope(envelope), 0)]) {
      expect(storedEnvelopeBytes(value)).toBeUndefined();
    }
  });
});
