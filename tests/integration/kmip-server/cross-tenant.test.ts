import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmipClient } from '../../../clients/kmip/client.js';
import { KmipResultError } from '../../../clients/kmip/errors.js';
import * as ops from '../../../clients/kmip/operations.js';
import { ObjectType, RevocationReasonCode, SecretDataType } from '../../../kmip-server/codec/enums.js';
import { Tag } from '../../../kmip-server/codec/tags.js';
import { bool, text } from '../../../kmip-server/codec/types.js';
import type { KmipTestEnv } from './support.js';
import { clientFor, startEnv, unavailable } from './support.js';
import { auditRecords, countAuditRecords } from '../../support/audit-records.js';

const skip = unavailable();
let env: KmipTestEnv;
let a: KmipClient;
let b: KmipClient;
const owned: Record<string, string> = {};

beforeAll(async () => {
  if (skip) return;
  env = await startEnv();
  a = clientFor(env.h, env.clientA);
  b = clientFor(env.h, env.clientB);
  owned.created = (await a.create({ name: 'tenant-a-secret-key' })).uniqueIdentifier;
  owned.active = (await a.create({ name: 'tenant-a-active-key' })).uniqueIdentifier;
  await a.activate(owned.active);
  owned.registered = await a.register({ objectType: ObjectType.SecretData, object: ops.secretDataObject(Buffer.alloc(96, 7), SecretDataType.Seed) });
  owned.ephemeral = (await a.create({ attributes: [{ name: 'x-OpenKCM-Ephemeral', tag: undefined, value: bool(Tag.AttributeValue, true) }] })).uniqueIdentifier;
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await env?.h.stop();
});

/** Reason and message of a refusal (or "success" when the operation went through). */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'success';
  } catch (e) {
    if (e instanceof KmipResultError) return `${e.resultReason}: ${e.resultMessage}`;
    throw e;
  }
}

/** Every operation that takes a Unique Identifier, as tenant B would try it. */
const attempts: Array<[string, (c: KmipClient, uid: string) => Promise<unknown>]> = [
  ['Get', (c, uid) => c.get(uid)],
  ['GetAttributes', (c, uid) => c.getAttributes(uid)],
  ['GetAttributeList', (c, uid) => c.getAttributeList(uid)],
  ['AddAttribute', (c, uid) => c.addAttribute(uid, { name: 'x-mine', tag: undefined, value: text(Tag.AttributeValue, 'b') })],
  ['ModifyAttribute', (c, uid) => c.modifyAttribute(uid, ops.nameAttribute('renamed'))],
  ['DeleteAttribute', (c, uid) => c.deleteAttribute(uid, 'Name')],
  ['Activate', (c, uid) => c.activate(uid)],
  ['Revoke', (c, uid) => c.revoke(uid, RevocationReasonCode.KeyCompromise, { compromiseOccurrenceDate: new Date() })],
  ['Destroy', (c, uid) => c.destroy(uid)],
  ['Encrypt', (c, uid) => c.encrypt(uid, Buffer.alloc(16))],
  ['Decrypt', (c, uid) => c.decrypt(uid, Buffer.alloc(16), { iv: Buffer.alloc(16) })],
  ['ReKey', (c, uid) => c.reKey(uid)],
];

describe.skipIf(skip)('tenant isolation', () => {
  it("tenant B gets exactly the answer for a missing object on every operation against tenant A's objects", async () => {
    for (const [name, attempt] of attempts) {
      const missing = await outcome(attempt(b, randomUUID()));
      expect(missing, name).toMatch(/^1: /); // Item Not Found
      for (const [kind, uid] of Object.entries(owned)) {
        expect(await outcome(attempt(b, uid)), `${name} on A's ${kind} object`).toBe(missing);
      }
    }
    // Nothing of A's changed.
    expect((await a.getAttributes(owned.created!, ['Name'])).map((x) => x.value)).toEqual([ops.nameAttribute('tenant-a-secret-key')]);
    expect((await a.get(owned.active!)).keyMaterial).toHaveLength(32);
  });

  it("Locate shows none of tenant A's objects to tenant B, whatever it searches for", async () => {
    expect(await b.locate()).toEqual([]);
    expect(await b.locate({ attributes: [ops.nameAttribute('tenant-a-secret-key')] })).toEqual([]);
    expect(await b.locate({ attributes: [text(Tag.UniqueIdentifier, owned.created!)] })).toEqual([]);
    expect(await a.locate({ attributes: [ops.nameAttribute('tenant-a-secret-key')] })).toEqual([owned.created]);
  });

  it('every cross-tenant attempt is in the audit log with crossTenant, attributed to tenant B', async () => {
    const expected = attempts.length * Object.keys(owned).length;
    let events: Array<Record<string, unknown>> = [];
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      events = (await auditRecords(env.h.store.db, { tenantId: 'tenant-b', crossTenant: true })) as unknown as Array<Record<string, unknown>>;
      if (events.length >= expected) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(events).toHaveLength(expected);
    for (const e of events) {
      expect(e.result).toBe('denied');
      expect(Object.values(owned)).toContain(e.objectId);
      expect(e.actor).toEqual({ kind: 'service', id: 'spiffe://openkcm/tenant/tenant-b/service/mongodb' });
      expect(e.operation).toMatch(/^kmip\./);
      expect(e.clientAddress).toBe('127.0.0.1');
    }
    // Attempts on objects that exist nowhere are failures, not cross-tenant.
    const missing = await countAuditRecords(env.h.store.db, { tenantId: 'tenant-b', crossTenant: { $ne: true }, result: 'failure' });
    expect(missing).toBeGreaterThanOrEqual(attempts.length);
  });
});
