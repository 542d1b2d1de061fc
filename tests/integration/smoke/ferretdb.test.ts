import { Binary, MongoClient, MongoServerError } from 'mongodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../../support/stack.js';

describe('FerretDB through the mongodb driver', () => {
  let client: MongoClient;
  const collectionName = `smoke_${randomUUID().replaceAll('-', '')}`;

  beforeAll(async () => {
    client = new MongoClient(stack().mongodb.uri, { serverSelectionTimeoutMS: 5_000 });
    await client.connect();
  });
  afterAll(async () => {
    await client?.db(stack().mongodb.database).collection(collectionName).drop().catch(() => undefined);
    await client?.close();
  });

  it('round-trips a document with binary data', async () => {
    const docs = client.db(stack().mongodb.database).collection(collectionName);
    const payload = randomBytes(48);
    const { insertedId } = await docs.insertOne({ tenant: 'acme', version: 1, wrapped: new Binary(payload), at: new Date() });
    const found = await docs.findOne({ _id: insertedId });
    expect(found?.tenant).toBe('acme');
    expect(Buffer.from((found?.wrapped as Binary).buffer)).toEqual(payload);
  });

  it('enforces a unique index and supports findOneAndUpdate with upsert', async () => {
    const docs = client.db(stack().mongodb.database).collection(collectionName);
    await docs.createIndex({ tenant: 1, name: 1 }, { unique: true });
    await docs.insertOne({ tenant: 'acme', name: 'default', n: 1 });
    const duplicate = docs.insertOne({ tenant: 'acme', name: 'default', n: 2 });
    await expect(duplicate).rejects.toBeInstanceOf(MongoServerError);
    await expect(duplicate).rejects.toMatchObject({ code: 11000 });

    const bumped = await docs.findOneAndUpdate({ tenant: 'acme', name: 'default' }, { $inc: { n: 1 } }, { returnDocument: 'after' });
    expect(bumped?.n).toBe(2);
    const upserted = await docs.findOneAndUpdate(
      { tenant: 'globex', name: 'default' },
      { $setOnInsert: { n: 10 } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(upserted?.n).toBe(10);
  });
});
