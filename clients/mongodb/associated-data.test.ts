import { BSON, Binary, Decimal128, Long, ObjectId, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { AssociatedData } from './associated-data.js';

const namespace = 'shop.customer_data';
const serialized = (field: string, id?: unknown): Buffer => {
  const context: Document = { v: 1, ns: namespace, f: field };
  if (id !== undefined) context.id = id;
  return Buffer.from(BSON.serialize(context));
};

describe('associated data', () => {
  const aad = new AssociatedData(namespace);

  it('is byte for byte the BSON document {v: 1, ns, f, id} the stored format names, for every kind of id', () => {
    const ids: unknown[] = [
      new ObjectId(),
      'customer-12345',
      '',
      42,
      2 ** 40,
      1.5,
      Long.fromString('9007199254740993'),
      new Decimal128('1.10'),
      new Date(0),
      null,
      true,
      new Binary(Buffer.from('abc'), 4),
      { tenant: 'acme', n: 7 },
      ['a', 1],
    ];
    for (const field of ['name', 'address.street', 'ü']) {
      for (const id of ids) expect(aad.of(field, id), `${field} / ${String(id)}`).toEqual(serialized(field, id));
      expect(aad.of(field, undefined)).toEqual(serialized(field));
    }
  });

  it('gives each call its own buffer, so zeroing or changing one leaves the next intact', () => {
    const id = new ObjectId();
    const first = aad.of('name', id);
    first.fill(0);
    expect(aad.of('name', id)).toEqual(serialized('name', id));
  });
});
