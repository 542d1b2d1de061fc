import { MongoClient, type Binary, type Collection, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmipClient } from '../../../clients/kmip/index.js';
import { decodeEnvelope } from '../../../clients/mongodb/envelope.js';
import { EncryptedCollection, FieldEncryption, KeyUnavailableError, KmipKeySource, PrefetchingKeySource, type KeySource } from '../../../clients/mongodb/index.js';
import { call } from '../../../cli/http.js';
import { onboardTenant, type OnboardedTenant } from '../../support/onboarding.js';
import { stack } from '../../support/stack.js';
import { uniqueTenantId } from '../../support/platform.js';

/**
 * The story's third journey with real parts: tenant onboarded through the API, L1 on
 * local-kms, the OpenKCM KMIP server over mTLS, documents in FerretDB.
 */
const story = { customer_id: '12345', name: 'John Doe', email: 'john@company.com' };

let mongo: MongoClient;
let tenantA: OnboardedTenant;
let tenantB: OnboardedTenant;
const clients: KmipClient[] = [];

function kmipFor(tenant: OnboardedTenant): KmipClient {
  const s = stack();
  const client = new KmipClient({ host: s.kmip.host, port: s.kmip.port, ca: tenant.service.caPem, cert: tenant.service.chainPem, key: tenant.service.privateKeyPem });
  clients.push(client);
  return client;
}

function encryptedCollection(tenant: OnboardedTenant, collection: Collection<Document>, keys: KeySource = new KmipKeySource(kmipFor(tenant))) {
  const encryption = new FieldEncryption({
    keys,
    namespace: `${collection.dbName}.${collection.collectionName}`,
    encryptedFields: ['name', 'email'],
  });
  return { encryption, customers: new EncryptedCollection(collection, encryption) };
}

beforeAll(async () => {
  mongo = await MongoClient.connect(stack().mongodb.uri);
  [tenantA, tenantB] = await Promise.all([
    onboardTenant(stack(), uniqueTenantId('mdb-a'), 'mongodb-prod'),
    onboardTenant(stack(), uniqueTenantId('mdb-b'), 'mongodb-prod'),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await mongo?.close();
});

describe('MongoDB documents encrypted with keys under the customer L1 (real KMIP server, FerretDB, local-kms)', () => {
  it('writes the story document with name and email encrypted, a fresh key per write, and reads it back', async () => {
    const collection = mongo.db(`app_${tenantA.tenantId.replaceAll('-', '_')}`).collection('customer_data');
    const { customers } = encryptedCollection(tenantA, collection);
    const { insertedId } = await customers.insertOne(story);
    await customers.insertOne(story);
    await customers.insertOne(story);

    const stored = await customers.findRaw({});
    expect(stored).toHaveLength(3);
    const raw = JSON.stringify(stored);
    expect(raw).not.toContain('John Doe');
    expect(raw).not.toContain('john@company.com');
    expect(stored.every((d) => d.customer_id === '12345')).toBe(true);
    const keyIds = stored.map((d) => decodeEnvelope(Buffer.from((d.name as Binary).buffer)).keyId);
    expect(new Set(keyIds).size).toBe(3);

    expect(await customers.findOne({ _id: insertedId })).toMatchObject(story);
    expect(await customers.find({ customer_id: '12345' })).toHaveLength(3);
    // A reader without cached keys gets them re-derived by OpenKCM from their ids.
    const { customers: freshReader } = encryptedCollection(tenantA, collection);
    expect(await freshReader.find({ customer_id: '12345' })).toEqual(expect.arrayContaining([expect.objectContaining(story)]));
  });

  it('a service of another tenant cannot decrypt them', async () => {
    const collection = mongo.db(`app_${tenantA.tenantId.replaceAll('-', '_')}`).collection('customer_data');
    const { customers: asB } = encryptedCollection(tenantB, collection);
    await expect(asB.find({})).rejects.toThrow(KeyUnavailableError);
    await expect(asB.find({})).rejects.toThrow(/ItemNotFound|not found/i);
  });

  it('with the L1 key revoked, writes and reads fail clearly and nothing is stored half-encrypted', async () => {
    const tenant = await onboardTenant(stack(), uniqueTenantId('mdb-rev'), 'mongodb-prod');
    const collection = mongo.db(`app_${tenant.tenantId.replaceAll('-', '_')}`).collection('customer_data');
    const { customers } = encryptedCollection(tenant, collection);
    await customers.insertOne(story);

    // The revoke call returns once every KMIP node has dropped the tenant's keys: no waiting needed.
    await call(stack().api.url, 'POST', '/api/l1/revoke', { token: tenant.token, body: { confirm: tenant.tenantId, reason: 'kill switch test' } });

    const write = await customers.insertOne(story).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(KeyUnavailableError);
    expect(String(write)).toMatch(/revoked/i);
    // A reader that holds no cached key (the writer's cache keeps keys for at most 10 s).
    const { customers: reader } = encryptedCollection(tenant, collection);
    await expect(reader.find({})).rejects.toThrow(/revoked/i);
    expect(await collection.countDocuments()).toBe(1);
  });

  it('with prefetched keys, writes stop once the keys fetched before a revocation are maxAgeMs old', async () => {
    const tenant = await onboardTenant(stack(), uniqueTenantId('mdb-pre'), 'mongodb-prod');
    const collection = mongo.db(`app_${tenant.tenantId.replaceAll('-', '_')}`).collection('customer_data');
    const maxAgeMs = 2_000;
    const pool = new PrefetchingKeySource(new KmipKeySource(kmipFor(tenant)), { size: 32, maxAgeMs });
    const { customers } = encryptedCollection(tenant, collection, pool);
    await customers.insertOne(story);
    // Every key in the pool was fetched by now (the first write filled it).
    const filledAt = Date.now();
    await call(stack().api.url, 'POST', '/api/l1/revoke', { token: tenant.token, body: { confirm: tenant.tenantId, reason: 'kill switch test' } });

    // The documented trade-off: keys already in the pool may still serve, but never once older than maxAgeMs.
    let stored = 1;
    let refusal: unknown;
    while (refusal === undefined) {
      const before = Date.now();
      expect(before - filledAt).toBeLessThan(maxAgeMs + 2_000);
      refusal = await customers.insertOne(story).then(
        () => {
          expect(before - filledAt).toBeLessThanOrEqual(maxAgeMs);
          stored++;
          return undefined;
        },
        (e: unknown) => e,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(refusal).toBeInstanceOf(KeyUnavailableError);
    expect(String(refusal)).toMatch(/revoked/i);
    expect(pool.readyCount).toBe(0);
    expect(await collection.countDocuments()).toBe(stored);
    pool.close();
  });
});
