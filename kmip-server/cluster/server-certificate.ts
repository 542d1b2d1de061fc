import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { normalizeSerial } from '../../lib/pki/names.js';
import type { PlatformPki } from '../../lib/pki/platform-pki.js';
import type { SecretBox } from '../../lib/secrets/secret-box.js';

export interface ServerTlsMaterial {
  key: string;
  cert: string;
  ca: string;
  serial: string;
  notAfter: Date;
}

/** Re-issue when less than this is left, so a restart never runs on an almost expired certificate. */
const RENEW_BEFORE_MS = 14 * 86_400_000;

const keyAad = (serial: string): string => `kmip-server-key:${serial}`;

/**
 * The KMIP server's TLS certificate: an ECDSA P-256 certificate from the platform PKI, kept in
 * `<dataDir>/kmip-server/` (chain in clear, private key sealed under the platform key) and
 * reused across restarts while it is valid for two more weeks, names still match and it was
 * signed by the current issuing CA. The trust bundle clients' certificates must chain to comes
 * from the PKI every start; the platform CA certificates are published to `<dataDir>/pki/ca.pem`
 * for clients (the dev stack's `kmip.caCert`).
 */
export async function loadOrIssueServerCertificate(
  pki: PlatformPki,
  box: SecretBox,
  dataDir: string,
  names: { dnsNames: string[]; ipAddresses: string[] },
  log: Logger,
): Promise<ServerTlsMaterial> {
  const dir = path.join(dataDir, 'kmip-server');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const certFile = path.join(dir, 'server-chain.pem');
  const keyFile = path.join(dir, 'server-key.sealed');
  const ca = pki.trustBundlePem();
  // Where the dev stack tells clients to find the platform CA (StackInfo.kmip.caCert).
  const published = path.join(dataDir, 'pki');
  await mkdir(published, { recursive: true, mode: 0o755 });
  await writeAtomically(path.join(published, 'ca.pem'), pki.rootCertificatePem + pki.issuingCertificatePem, 0o644);

  const reused = await tryReuse(certFile, keyFile, pki, box, names);
  if (reused) {
    log.info({ serial: reused.serial, notAfter: reused.notAfter }, 'reusing KMIP server certificate');
    return { ...reused, ca };
  }
  const issued = await pki.issueServerCertificate({ dnsNames: names.dnsNames, ipAddresses: names.ipAddresses });
  await writeAtomically(keyFile, box.seal(issued.privateKeyPem, keyAad(issued.serial)), 0o600);
  await writeAtomically(certFile, issued.chainPem, 0o644);
  log.info({ serial: issued.serial, notAfter: issued.notAfter }, 'issued KMIP server certificate');
  return { key: issued.privateKeyPem, cert: issued.chainPem, ca, serial: issued.serial, notAfter: issued.notAfter };
}

async function tryReuse(
  certFile: string,
  keyFile: string,
  pki: PlatformPki,
  box: SecretBox,
  names: { dnsNames: string[]; ipAddresses: string[] },
): Promise<Omit<ServerTlsMaterial, 'ca'> | undefined> {
  let chain: string;
  let sealed: string;
  try {
    [chain, sealed] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  } catch {
    return undefined;
  }
  try {
    const leaf = new X509Certificate(chain);
    const issuing = new X509Certificate(pki.issuingCertificatePem);
    const notAfter = new Date(leaf.validTo);
    if (notAfter.getTime() - Date.now() < RENEW_BEFORE_MS) return undefined;
    if (!leaf.checkIssued(issuing) || !leaf.verify(issuing.publicKey)) return undefined;
    const san = leaf.subjectAltName ?? '';
    if (!names.dnsNames.every((d) => san.includes(`DNS:${d}`))) return undefined;
    if (!names.ipAddresses.every((ip) => san.includes(`IP Address:${ip}`))) return undefined;
    const serial = normalizeSerial(leaf.serialNumber);
    const key = box.open(sealed, keyAad(serial));
    try {
      return { key: key.toString('utf8'), cert: chain, serial, notAfter };
    } finally {
      key.fill(0);
    }
  } catch {
    return undefined;
  }
}

async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, file);
}
