import type { AddressInfo } from 'node:net';
import tls from 'node:tls';

/**
 * One real mutual-TLS handshake on loopback. The server verifies the client against `ca`
 * (and `crl`, when given) exactly as the KMIP server will; the result says whether the
 * client got through and what the server saw.
 */
export interface HandshakeResult {
  ok: boolean;
  /** OpenSSL's verdict on the client chain (only in `inspect` mode, where the server does not reject by itself). */
  authorizationError?: string;
  protocol?: string | null;
  peer?: tls.DetailedPeerCertificate;
  serverError?: string;
  clientError?: string;
}

export async function handshake(
  server: { key: string; cert: string; ca: string; crl?: string },
  client: tls.ConnectionOptions,
  mode: 'reject' | 'inspect' = 'reject',
): Promise<HandshakeResult> {
  let authorizationError: string | undefined;
  let peer: tls.DetailedPeerCertificate | undefined;
  let protocol: string | null | undefined;
  let serverError: string | undefined;
  const srv = tls.createServer(
    { ...server, requestCert: true, rejectUnauthorized: mode === 'reject', minVersion: 'TLSv1.2' },
    (socket) => {
      if (!socket.authorized) {
        authorizationError = String(socket.authorizationError);
        socket.destroy();
        return;
      }
      peer = socket.getPeerCertificate(true);
      protocol = socket.getProtocol();
      socket.end('ok');
    },
  );
  srv.on('tlsClientError', (error) => (serverError = error.message));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  try {
    const { ok, clientError } = await new Promise<{ ok: boolean; clientError?: string }>((resolve) => {
      let data = '';
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...client });
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (data += d));
      socket.on('error', (error) => resolve({ ok: false, clientError: error.message }));
      socket.on('close', () => resolve({ ok: data === 'ok' }));
    });
    return { ok, authorizationError, protocol, peer, serverError, clientError };
  } finally {
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
}
