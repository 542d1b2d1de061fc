import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedTicketKeys, TICKET_KEY_BYTES } from '../../../kmip-server/cluster/ticket-keys.js';
import type { KmipServerProcess } from '../../../kmip-server/testing/harness.js';
import { SecretBoxError } from '../../../lib/secrets/secret-box.js';
import type { KmipTestEnv } from './support.js';
import { attemptHandshake, startEnv, unavailable } from './support.js';

/**
 * Session tickets across nodes: every node of a deployment uses the same ticket key per rotation
 * period (kept sealed in the store), so a client that connects once per request (libmongocrypt)
 * resumes on whichever node an L4 load balancer sends it to.
 */
const skip = unavailable();
let env: KmipTestEnv;
let nodeB: KmipServerProcess;
const HOUR = 3_600_000;

beforeAll(async () => {
  if (skip) return;
  env = await startEnv({ workers: 1 });
  // A second node: same store and platform key, its own data directory (server certificate, audit journal).
  nodeB = await env.h.startServer({ OPENKCM_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'openkcm-kmip-node-b-')) });
}, 120_000);
afterAll(async () => {
  await nodeB?.stop();
  await env?.h.stop();
});

const handshake = (port: number, session?: Buffer) => attemptHandshake({ port, ca: env.clientA.caPem, cert: env.clientA.certPem, key: env.clientA.keyPem, session });

describe.skipIf(skip)('TLS session tickets across KMIP nodes', () => {
  it('a ticket from one node resumes on another, in both directions', async () => {
    const first = await handshake(env.h.server.port);
    expect(first).toMatchObject({ resumed: false, outcome: 'connected' });
    expect(first.session).toBeDefined();
    const onB = await handshake(nodeB.port, first.session);
    expect(onB).toMatchObject({ resumed: true, outcome: 'connected' });
    const fromB = await handshake(nodeB.port);
    expect(await handshake(env.h.server.port, fromB.session)).toMatchObject({ resumed: true, outcome: 'connected' });
  });

  it('a ticket still resumes after the node that issued it restarts', async () => {
    const before = await handshake(nodeB.port);
    expect(before.session).toBeDefined();
    await nodeB.stop();
    nodeB = await env.h.startServer({ OPENKCM_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'openkcm-kmip-node-b-')) });
    expect(await handshake(nodeB.port, before.session)).toMatchObject({ resumed: true, outcome: 'connected' });
  }, 60_000);

  it('keeps one sealed key per period in the store, made by the first node to need it', async () => {
    const keys = await env.h.store.db.collection('kmipTicketKeys').find({}).toArray();
    expect(keys).toHaveLength(1);
    const sealed = keys[0]!.sealed as string;
    expect(sealed).toMatch(/^v1\./);
    // The servers rotate daily (OPENKCM_KMIP_TICKET_ROTATION_H's default): this reads the key they use.
    const current = await new SharedTicketKeys(env.h.store.db, env.h.box, 24 * HOUR).current();
    expect(current.key).toHaveLength(TICKET_KEY_BYTES);
    // The key itself is nowhere in the stored document.
    const stored = JSON.stringify(keys[0]);
    expect(stored).not.toContain(current.key.toString('hex'));
    expect(stored).not.toContain(current.key.toString('base64'));
  });
});

describe.skipIf(skip)('shared ticket keys in the store', () => {
  let mongo: MongoClient;
  beforeAll(async () => {
    mongo = await new MongoClient(env.h.mongoUri).connect();
  });
  afterAll(async () => {
    await mongo?.close();
  });

  it('gives every node the same key within a period, even when they all make it at once', async () => {
    const db = mongo.db('ticket_keys_concurrent');
    let now = Date.parse('2026-12-07T10:30:00Z');
    // Five nodes, each with its own connection, asking at the same moment.
    const clients = await Promise.all(Array.from({ length: 5 }, () => new MongoClient(env.h.mongoUri).connect()));
    try {
      const nodes = clients.map((c) => new SharedTicketKeys(c.db(db.databaseName), env.h.box, HOUR, () => now));
      const keys = await Promise.all(nodes.map((n) => n.current()));
      for (const k of keys) expect(k.key).toEqual(keys[0]!.key);
      expect(keys[0]!.endsAt).toBe(Date.parse('2026-12-07T11:00:00Z'));
      expect(await db.collection('kmipTicketKeys').countDocuments()).toBe(1);

      // The next period: a new key for everyone, and the previous one is gone from the store.
      now = Date.parse('2026-12-07T11:00:01Z');
      const next = await Promise.all(nodes.map((n) => n.current()));
      for (const k of next) expect(k.key).toEqual(next[0]!.key);
      expect(next[0]!.key.equals(keys[0]!.key)).toBe(false);
      expect((await db.collection('kmipTicketKeys').find({}).toArray()).map((d) => d.period)).toEqual([next[0]!.period]);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('refuses a stored key that does not open under the platform key, instead of using it', async () => {
    const db = mongo.db('ticket_keys_tampered');
    const now = () => Date.parse('2026-12-07T10:30:00Z');
    const keys = new SharedTicketKeys(db, env.h.box, HOUR, now);
    await keys.current();
    const stored = db.collection<{ _id: string; period: number; sealed: string; createdAt: Date }>('kmipTicketKeys');
    const doc = (await stored.findOne({}))!;
    // Moved to another period, the sealed key no longer matches its associated data.
    await stored.insertOne({ _id: 'ticket-key:0', period: 0, sealed: doc.sealed, createdAt: new Date() });
    const atZero = new SharedTicketKeys(db, env.h.box, HOUR, () => 1);
    await expect(atZero.current()).rejects.toThrow(SecretBoxError);
  });
});
