import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivationInfo, l2Salt } from './derivation.js';

describe('derivation context encoding', () => {
  it('is injective: different contexts never share an info string', () => {
    const context = fc.record({
      tenantId: fc.string({ maxLength: 8 }),
      serviceId: fc.string({ maxLength: 8 }),
      objectId: fc.string({ maxLength: 8 }),
      purpose: fc.string({ maxLength: 8 }),
    });
    fc.assert(
      fc.property(context, context, (a, b) => {
        const same = a.tenantId === b.tenantId && a.serviceId === b.serviceId && a.objectId === b.objectId && a.purpose === b.purpose;
        expect(derivationInfo(a).equals(derivationInfo(b))).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps fields apart that naive concatenation would merge', () => {
    const a = derivationInfo({ tenantId: 'ab', serviceId: 'c', objectId: '', purpose: 'p' });
    const b = derivationInfo({ tenantId: 'a', serviceId: 'bc', objectId: '', purpose: 'p' });
    expect(a.equals(b)).toBe(false);
  });

  it('has a stable, documented layout (changing it would change every derived key)', () => {
    const info = derivationInfo({ tenantId: 't', serviceId: 's', objectId: 'o', purpose: 'p' });
    expect(info.toString('hex')).toBe(
      Buffer.concat([Buffer.from('openkcm/derive/v1\0'), Buffer.from('00017400017300016f000170', 'hex')]).toString('hex'),
    );
    expect(l2Salt('t', 2).toString('hex')).toBe(
      Buffer.concat([Buffer.from('openkcm/l2-salt/v1\0'), Buffer.from('00017400000002', 'hex')]).toString('hex'),
    );
  });
});
