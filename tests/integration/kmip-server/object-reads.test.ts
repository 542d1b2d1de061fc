import type { CommandStartedEvent } from 'mongodb';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectType } from '../../../kmip-server/codec/enums.js';
import { Tag } from '../../../kmip-server/codec/tags.js';
import { text } from '../../../kmip-server/codec/types.js';
import { AttributeBag } from '../../../kmip-server/objects/attribute-bag.js';
import type { ManagedObject } from '../../../kmip-server/objects/model.js';
import { ObjectRepository } from '../../../kmip-server/objects/repository.js';
import { type FerretDb, startFerretDb } from '../pki/support/ferretdb.js';

/** ObjectRepository.get against a real store: concurrent reads share one query, never a stale one. */
let ferret: FerretDb;
let mongo: MongoClient;
const finds: string[] = [];

beforeAll(async () => {
  ferret = await startFerretDb();
  mongo = await new MongoClient(ferret.uri, { monitorCommands: true }).connect();
  mongo.on('commandStarted', (e: CommandStartedEvent) => {
    if (e.commandName === 'find') finds.push(String((e.command as { filter?: { _id?: unknown } }).filter?._id));
  });
});
afterAll(async () => {
  await mongo?.close();
  await ferret?.stop();
});

function object(uid: string, name: string): ManagedObject {
  return {
    uid,
    tenantId: 'acme',
    owner: 'mongodb',
    objectType: ObjectType.SecretData,
    attributes: AttributeBag.from([['Name', text(Tag.Name, name)]]),
    material: { kind: 'none', format: {} },
    usageUsed: 0,
    rev: 0,
  };
}

describe('ObjectRepository reads', () => {
  it('serves concurrent reads of one object with one store query, each caller with its own copy', async () => {
    const repo = new ObjectRepository(mongo.db('reads_shared'));
    await repo.insert(object('k1', 'one'));
    finds.length = 0;
    const reads = await Promise.all(Array.from({ length: 16 }, () => repo.get('acme', 'k1')));
    expect(finds).toEqual(['k1']);
    expect(reads.every((r) => r?.uid === 'k1' && r.rev === 0)).toBe(true);
    expect(new Set(reads.map((r) => r!.attributes)).size).toBe(16);
    // Sequential reads each go to the store: nothing is cached.
    await repo.get('acme', 'k1');
    await repo.get('acme', 'k1');
    expect(finds).toHaveLength(3);
  });

  it('a read that starts after a write through the repository never joins a query sent before it', async () => {
    const repo = new ObjectRepository(mongo.db('reads_after_write'));
    await repo.insert(object('k2', 'before'));
    const read = (await repo.get('acme', 'k2'))!;
    const early = repo.get('acme', 'k2'); // in flight while the write happens
    const next = { ...read, attributes: read.attributes.clone() };
    next.attributes.set('Name', text(Tag.Name, 'after'));
    await repo.replace(next);
    const late = await repo.get('acme', 'k2');
    expect(late?.rev).toBe(1);
    expect((await early)?.rev).toBeLessThanOrEqual(1);
  });

  it('keeps tenants apart: the same uid under another tenant is a different read', async () => {
    const repo = new ObjectRepository(mongo.db('reads_tenants'));
    await repo.insert(object('k3', 'acme'));
    const [mine, theirs] = await Promise.all([repo.get('acme', 'k3'), repo.get('globex', 'k3')]);
    expect(mine?.uid).toBe('k3');
    expect(theirs).toBeUndefined();
  });
});
