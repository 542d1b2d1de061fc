import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTtlv } from '../../kmip-server/codec/decoder.js';
import { ObjectType, Operation, ResultReason } from '../../kmip-server/codec/enums.js';
import { TtlvFramer } from '../../kmip-server/codec/framer.js';
import { Tag } from '../../kmip-server/codec/tags.js';
import { enumeration, text } from '../../kmip-server/codec/types.js';
import type { Handler } from '../../kmip-server/protocol/dispatch.js';
import { dispatch, encodeResponse } from '../../kmip-server/protocol/dispatch.js';
import { itemNotFound } from '../../kmip-server/protocol/errors.js';
import { parseRequestMessage } from '../../kmip-server/protocol/messages.js';
import { KmipClient } from './client.js';
import { KmipConnectionError, KmipResultError, KmipTimeoutError } from './errors.js';
import * as ops from './operations.js';
import type { TestPki } from './testing/certs.js';
import { createTestPki } from './testing/certs.js';

// A minimal KMIP server on the shared codec and dispatcher: enough to exercise the client's
// connection handling (order, timeouts, reconnects) without an external process.
let pki: TestPki;
let server: tls.Server;
let port: number;
const sockets = new Set<tls.TLSSocket>();
let counter = 0;

const handlers = new Map<number, Handler<null>>([
  [Operation.Create, () => [enumeration(Tag.ObjectType, ObjectType.SymmetricKey), text(Tag.UniqueIdentifier, `k${++counter}`)]],
  [
    Operation.Get,
    async (p, ctx) => {
      const uid = p.uniqueIdentifier(ctx.idPlaceholder);
      if (uid === 'missing') throw itemNotFound('no such key');
      if (uid === 'slow') await new Promise((r) => setTimeout(r, 400));
      if (uid === 'hang') await new Promise((r) => setTimeout(r, 5000));
      return [enumeration(Tag.ObjectType, ObjectType.SymmetricKey), text(Tag.UniqueIdentifier, uid), ops.symmetricKeyObject(Buffer.alloc(32, 7))];
    },
  ],
]);

beforeAll(async () => {
  pki = createTestPki();
  server = tls.createServer({ ca: pki.caPem, cert: pki.serverCertPem, key: pki.serverKeyPem, requestCert: true, rejectUnauthorized: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const framer = new TtlvFramer();
    // Serve requests of one connection in order, as KMIP servers do.
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk, (msg) => {
        const req = parseRequestMessage(decodeTtlv(msg));
        chain = chain.then(async () => {
          const resp = await dispatch(req, null, { handlers, supportedVersions: [{ major: 1, minor: 4 }] });
          if (!socket.destroyed) socket.write(encodeResponse(resp));
        });
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const client = (timeoutMs = 2000): KmipClient =>
  new KmipClient({ host: '127.0.0.1', port, ca: pki.caPem, cert: pki.clientCertPem, key: pki.clientKeyPem, timeoutMs });

describe('KmipClient connection handling', () => {
  it('matches pipelined responses to requests in order', async () => {
    const c = client();
    try {
      const uids = ['slow', 'a', 'b', 'slow', 'c'];
      const got = await Promise.all(uids.map((u) => c.get(u)));
      expect(got.map((g) => g.uniqueIdentifier)).toEqual(uids);
      expect(c.connection.stats.handshakes).toBe(1);
    } finally {
      await c.close();
    }
  });

  it('batches Create + Get with the ID placeholder and reports per-item failures', async () => {
    const c = client();
    try {
      const [created, got, missing] = await c.batch([ops.create(), ops.get(), ops.get('missing')]);
      expect(created.ok && got.ok && got.value.uniqueIdentifier === created.value.uniqueIdentifier).toBe(true);
      expect(missing.ok).toBe(false);
      if (!missing.ok) expect(missing.error.resultReason).toBe(ResultReason.ItemNotFound);
      await expect(c.get('missing')).rejects.toBeInstanceOf(KmipResultError);
    } finally {
      await c.close();
    }
  });

  it('times out, fails what is in flight, and reconnects for the next request', async () => {
    const c = client(300);
    try {
      const [hung, behind] = await Promise.allSettled([c.get('hang'), c.get('a')]);
      expect(hung.status === 'rejected' && hung.reason).toBeInstanceOf(KmipTimeoutError);
      expect(behind.status === 'rejected' && behind.reason).toBeInstanceOf(KmipConnectionError);
      expect((await c.get('b')).uniqueIdentifier).toBe('b');
      expect(c.connection.stats.handshakes).toBe(2);
    } finally {
      await c.close();
    }
  });

  it('fails in-flight requests when the server drops the connection', async () => {
    const c = client();
    try {
      const p = c.get('slow');
      await new Promise((r) => setTimeout(r, 50));
      for (const s of sockets) s.destroy();
      await expect(p).rejects.toBeInstanceOf(KmipConnectionError);
      expect((await c.get('x')).uniqueIdentifier).toBe('x');
    } finally {
      await c.close();
    }
  });

  it('refuses a server whose certificate does not chain to the configured CA', async () => {
    const other = createTestPki();
    const c = new KmipClient({ host: '127.0.0.1', port, ca: other.caPem, cert: pki.clientCertPem, key: pki.clientKeyPem });
    try {
      await expect(c.get('a')).rejects.toBeInstanceOf(KmipConnectionError);
    } finally {
      await c.close();
    }
  });
});
