import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';

/** PEM material for a throwaway mutual-TLS setup: one CA, a server and a client certificate. */
export interface TestPki {
  readonly dir: string;
  readonly caPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** The same material as files in `dir` (ca.pem, server.pem, server.key, client.pem, client.key). */
  readonly files: { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };
}

interface Issued {
  cert: forge.pki.Certificate;
  keyPem: string;
}

// Node generates the RSA keys (native, fast); forge only builds and signs the certificates.
function rsaKey(): { keyPem: string; publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    keyPem,
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    privateKey: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey,
  };
}

function certificate(
  cn: string,
  publicKey: forge.pki.PublicKey,
  issuer: { cert?: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey },
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 7 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: cn }, { name: 'organizationName', value: 'OpenKCM test' }]);
  cert.setIssuer((issuer.cert ?? cert).subject.attributes);
  cert.setExtensions(extensions);
  cert.sign(issuer.key, forge.md.sha256.create());
  return cert;
}

/** Creates a CA and a server (SAN localhost/127.0.0.1) and client certificate in a fresh temp dir. */
export function createTestPki(clientCn = 'openkcm-test-client'): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'openkcm-kmip-pki-'));
  const caKey = rsaKey();
  const ca = certificate('OpenKCM test CA', caKey.publicKey, { key: caKey.privateKey }, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  const issue = (cn: string, server: boolean): Issued => {
    const k = rsaKey();
    const ext: object[] = [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: server, clientAuth: !server },
    ];
    if (server) ext.push({ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] });
    return { cert: certificate(cn, k.publicKey, { cert: ca, key: caKey.privateKey }, ext), keyPem: k.keyPem };
  };
  const server = issue('localhost', true);
  const client = issue(clientCn, false);
  return writeTestPki(dir, {
    caPem: forge.pki.certificateToPem(ca),
    serverCertPem: forge.pki.certificateToPem(server.cert),
    serverKeyPem: server.keyPem,
    clientCertPem: forge.pki.certificateToPem(client.cert),
    clientKeyPem: client.keyPem,
  });
}

/** Writes a PKI's PEM material into `dir` as the files TestPki names (keys readable by the owner only). */
export function writeTestPki(dir: string, pems: Omit<TestPki, 'dir' | 'files'>): TestPki {
  const files = {
    ca: path.join(dir, 'ca.pem'),
    serverCert: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server.key'),
    clientCert: path.join(dir, 'client.pem'),
    clientKey: path.join(dir, 'client.key'),
  };
  writeFileSync(files.ca, pems.caPem);
  writeFileSync(files.serverCert, pems.serverCertPem);
  writeFileSync(files.serverKey, pems.serverKeyPem, { mode: 0o600 });
  writeFileSync(files.clientCert, pems.clientCertPem);
  writeFileSync(files.clientKey, pems.clientKeyPem, { mode: 0o600 });
  return { dir, ...pems, files };
}
