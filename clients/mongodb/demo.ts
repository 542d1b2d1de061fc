/**
 * `npm run demo:mongodb` — the user story's third journey on the running stack, end to end:
 * a tenant appears (signed Platform Mesh webhook) → its L1 key on local-kms is tested and
 * activated → a MongoDB service gets its certificate → the story's customer document is
 * written with `name` and `email` encrypted under a fresh key from OpenKCM → the stored
 * ciphertext is shown → it is read back decrypted → the audit trail links L1 → L2 version →
 * derived key id → document id.
 */
import { Binary, MongoClient, type Document } from 'mongodb';
import { call } from '../../cli/http.js';
import { decodeEnvelope } from './envelope.js';
import { EncryptedCollection, FieldEncryption, KmipKeySource } from './index.js';
import { KmipClient } from '../kmip/index.js';
import { onboardTenant } from '../../tests/support/onboarding.js';
import { stack } from '../../tests/support/stack.js';

const s = stack();
const tenantId = process.argv[2] ?? `my-tenant-${Date.now().toString(36)}`;
const serviceId = 'mongodb-prod';
const say = (line: string) => console.log(`• ${line}`);

console.log(`\nOpenKCM × MongoDB — tenant ${tenantId}\n`);
const tenant = await onboardTenant(s, tenantId, serviceId, say);

// The MongoDB service talks KMIP over mutual TLS with its tenant-scoped certificate.
const kmip = new KmipClient({
  host: s.kmip.host,
  port: s.kmip.port,
  ca: tenant.service.caPem,
  cert: tenant.service.chainPem,
  key: tenant.service.privateKeyPem,
});
const mongo = await MongoClient.connect(s.mongodb.uri);
const collection = mongo.db(`demo_${tenantId.replaceAll('-', '_')}`).collection('customer_data');
const encryption = new FieldEncryption({
  keys: new KmipKeySource(kmip),
  namespace: `${collection.dbName}.${collection.collectionName}`,
  encryptedFields: ['name', 'email'],
});
const customers = new EncryptedCollection(collection, encryption);

try {
  const document = { customer_id: '12345', name: 'John Doe', email: 'john@company.com' };
  const started = performance.now();
  const { insertedId } = await customers.insertOne(document);
  say(`inserted customer 12345 as ${String(insertedId)} in ${(performance.now() - started).toFixed(1)} ms (key request + encryption + insert)`);

  const [stored] = await customers.findRaw({ _id: insertedId });
  const keyId = decodeEnvelope(Buffer.from((stored!.name as Binary).buffer)).keyId;
  console.log('\nWhat MongoDB stores (anyone reading the database sees this):');
  console.log(printable(stored!));

  const readBack = await customers.findOne({ _id: insertedId });
  console.log('\nWhat the service reads back (key re-derived by OpenKCM from its id):');
  console.log(printable(readBack!));

  // The audit trail: this document's key, the KMIP operations on it, the L2 version and L1 use behind it.
  // KMIP audit events are written in batches a few milliseconds behind the operations.
  let keyEvents: { items: AuditView[] } = { items: [] };
  for (let attempt = 0; attempt < 40 && keyEvents.items.length < 2; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 50));
    ({ body: keyEvents } = await call<{ items: AuditView[] }>(s.api.url, 'GET', `/api/audit?objectId=${encodeURIComponent(keyId)}&limit=20`, { token: tenant.token }));
  }
  const { body: activations } = await call<{ items: AuditView[] }>(s.api.url, 'GET', '/api/audit?operation=l1.activate&limit=5', { token: tenant.token });
  const { body: l1Uses } = await call<{ items: AuditView[] }>(s.api.url, 'GET', '/api/audit?operation=l1.unwrap&limit=5', { token: tenant.token });
  console.log('\nAudit trail:');
  for (const e of [...activations.items, ...l1Uses.items].sort((a, b) => a.time.localeCompare(b.time))) {
    console.log(`  ${e.time}  ${e.operation.padEnd(14)} ${e.result.padEnd(8)} L1 ${s.localKms.demoKeyArn} → L2 v${e.l2Version ?? '?'} (by ${e.actor.id})`);
  }
  for (const e of [...keyEvents.items].reverse()) {
    console.log(`  ${e.time}  ${e.operation.padEnd(14)} ${e.result.padEnd(8)} key ${e.objectId} from L2 v${e.l2Version ?? '?'} for ${e.actor.id}`);
  }
  console.log(`  document ${String(insertedId)} (customer 12345): name and email encrypted under key ${keyId}`);
  console.log(`\nConsole: ${s.console.url}  (tenant ${tenantId}; credentials were handed over once to this demo)\n`);
} finally {
  await encryption.close();
  await kmip.close();
  await mongo.close();
}

interface AuditView {
  time: string;
  operation: string;
  result: string;
  objectId?: string;
  l2Version?: number;
  actor: { kind: string; id: string };
}

/** Binary fields shortened to their subtype and first bytes; everything else as JSON. */
function printable(doc: Document): string {
  const shown = Object.fromEntries(
    Object.entries(doc).map(([key, value]) =>
      value instanceof Binary ? [key, `Binary(0x${value.sub_type.toString(16)}, ${Buffer.from(value.buffer).toString('base64').slice(0, 44)}…)`] : [key, value],
    ),
  );
  return JSON.stringify(shown, null, 2);
}
