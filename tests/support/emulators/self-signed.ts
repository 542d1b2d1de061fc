import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface SelfSigned {
  certPem: string;
  keyFile: string;
  certFile: string;
  /** PKCS#12 bundle of key and certificate (for Java servers), protected by `p12Password`. */
  p12File: string;
  p12Password: string;
}

/**
 * A throwaway RSA certificate for localhost/127.0.0.1, made with the openssl CLI. RSA because
 * Lowkey Vault pins TLS 1.2 with ECDHE_RSA suites.
 */
export function selfSignedLoopbackCert(dir: string, name = 'server'): SelfSigned {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.crt`);
  const p12File = path.join(dir, `${name}.p12`);
  const p12Password = 'changeit';
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-addext', 'basicConstraints=critical,CA:TRUE',
  ], { stdio: 'pipe' });
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', keyFile, '-in', certFile, '-out', p12File, '-passout', `pass:${p12Password}`, '-name', 'lowkey-vault'], { stdio: 'pipe' });
  return { certPem: readFileSync(certFile, 'utf8'), keyFile, certFile, p12File, p12Password };
}
