import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmipClientOptions } from '../../../clients/kmip/index.js';
import { KmipClient, KmipResultError, ops } from '../../../clients/kmip/index.js';
import type { PyKmipServer } from '../../../clients/kmip/testing/pykmip.js';
import { startPyKmip } from '../../../clients/kmip/testing/pykmip.js';
import {
  BlockCipherMode,
  CryptographicAlgorithm,
  CryptographicUsageMask,
  ObjectType,
  Operation,
  PaddingMethod,
  ResultReason,
  RevocationReasonCode,
  State,
} from '../../../kmip-server/codec/enums.js';
import { Tag } from '../../../kmip-server/codec/tags.js';
import { enumeration, ItemType } from '../../../kmip-server/codec/types.js';

// The KMIP client against PyKMIP's server (a real, independent KMIP implementation) over mTLS:
// the lifecycle OpenKCM's "HSM over KMIP" connector and MongoDB's clients need.
let server: PyKmipServer;
let options: KmipClientOptions;

beforeAll(async () => {
  server = await startPyKmip();
  options = {
    host: server.host,
    port: server.port,
    ca: server.pki.caPem,
    cert: server.pki.clientCertPem,
    key: server.pki.clientKeyPem,
    timeoutMs: 20_000,
  };
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const cbc = { blockCipherMode: BlockCipherMode.CBC, paddingMethod: PaddingMethod.PKCS5, algorithm: CryptographicAlgorithm.AES };

for (const version of [
  { major: 1, minor: 0 },
  { major: 1, minor: 2 },
  { major: 1, minor: 4 },
  { major: 2, minor: 0 },
]) {
  describe(`against PyKMIP, protocol ${version.major}.${version.minor}`, () => {
    let client: KmipClient;
    beforeAll(() => {
      client = new KmipClient({ ...options, protocolVersion: version });
    });
    afterAll(async () => {
      await client.close();
    });

    it('creates an AES-256 key, reads it back, activates, encrypts/decrypts, locates, revokes and destroys it', async () => {
      const name = `openkcm-it-${version.major}${version.minor}-${Date.now()}`;
      const created = await client.create({ name });
      expect(created.objectType).toBe(ObjectType.SymmetricKey);

      const key = await client.get(created.uniqueIdentifier);
      expect(key.objectType).toBe(ObjectType.SymmetricKey);
      expect(key.algorithm).toBe(CryptographicAlgorithm.AES);
      expect(key.length).toBe(256);
      expect(key.keyMaterial).toHaveLength(32);

      const before = await client.getAttributes(created.uniqueIdentifier, ['State', 'Cryptographic Usage Mask']);
      expect(before.find((a) => a.tag === Tag.State)?.value).toEqual(enumeration(Tag.State, State.PreActive));
      const mask = before.find((a) => a.tag === Tag.CryptographicUsageMask)?.value;
      expect(mask?.type === ItemType.Integer && mask.value).toBe(CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt);
      expect(await client.getAttributeList(created.uniqueIdentifier)).toEqual(expect.arrayContaining(['State', 'Cryptographic Algorithm']));

      await client.activate(created.uniqueIdentifier);
      const state = await client.getAttributes(created.uniqueIdentifier, ['State']);
      expect(state[0]?.value).toEqual(enumeration(Tag.State, State.Active));

      if (version.major * 100 + version.minor >= 102) {
        // Encrypt/Decrypt exist from KMIP 1.2 on.
        const plain = Buffer.from('customer data that only L1 may unwrap');
        const enc = await client.encrypt(created.uniqueIdentifier, plain, { parameters: { ...cbc, randomIV: true } });
        expect(enc.iv).toHaveLength(16);
        expect(Buffer.from(enc.data).equals(plain)).toBe(false);
        const dec = await client.decrypt(created.uniqueIdentifier, enc.data, { parameters: cbc, iv: enc.iv });
        expect(Buffer.from(dec.data).toString()).toBe(plain.toString());
      }

      const found = await client.locate({ attributes: [ops.nameAttribute(name)] });
      expect(found).toEqual([created.uniqueIdentifier]);

      // Destroy is refused while Active; Revoke first.
      await expect(client.destroy(created.uniqueIdentifier)).rejects.toBeInstanceOf(KmipResultError);
      await client.revoke(created.uniqueIdentifier, RevocationReasonCode.CessationOfOperation);
      await client.destroy(created.uniqueIdentifier);
      const gone = await client.get(created.uniqueIdentifier).catch((e: unknown) => e);
      expect(gone).toBeInstanceOf(KmipResultError);
      expect((gone as KmipResultError).resultReason).toBe(ResultReason.ItemNotFound);
    });
  });
}

describe('client behaviour against PyKMIP', () => {
  it('discovers versions and queries operations', async () => {
    const client = new KmipClient(options);
    try {
      const versions = await client.discoverVersions();
      expect(versions).toContainEqual({ major: 1, minor: 4 });
      const q = await client.query();
      expect(q.operations).toEqual(expect.arrayContaining([Operation.Create, Operation.Get, Operation.Encrypt, Operation.Decrypt]));
    } finally {
      await client.close();
    }
  });

  it('runs Create + Get in one batch, the Get using the ID placeholder', async () => {
    const client = new KmipClient(options);
    try {
      const [created, got] = await client.batch([ops.create({ length: 128 }), ops.get()]);
      expect(created.ok && got.ok).toBe(true);
      if (created.ok && got.ok) {
        expect(got.value.uniqueIdentifier).toBe(created.value.uniqueIdentifier);
        expect(got.value.keyMaterial).toHaveLength(16);
      }
    } finally {
      await client.close();
    }
  });

  it('pipelines concurrent requests on one connection, and resumes the TLS session after a reconnect', async () => {
    const client = new KmipClient(options);
    try {
      const { uniqueIdentifier } = await client.create();
      const all = await Promise.all(Array.from({ length: 8 }, () => client.get(uniqueIdentifier)));
      expect(all.every((o) => o.uniqueIdentifier === uniqueIdentifier)).toBe(true);
      expect(client.connection.stats.handshakes).toBe(1);
      // Drop the socket under the client; the next request reconnects with the saved session.
      (client.connection as unknown as { socket?: { destroy(): void } }).socket?.destroy();
      await new Promise((r) => setTimeout(r, 50));
      await client.get(uniqueIdentifier);
      expect(client.connection.stats.handshakes).toBe(2);
      expect(client.connection.stats.resumed).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('reports server failures as KmipResultError with reason and message', async () => {
    const client = new KmipClient(options);
    try {
      const err = await client.get('no-such-object').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KmipResultError);
      expect((err as KmipResultError).resultReason).toBe(ResultReason.ItemNotFound);
      expect((err as KmipResultError).message).toMatch(/Get OperationFailed: ItemNotFound/);
    } finally {
      await client.close();
    }
  });
});
