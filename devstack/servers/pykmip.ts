import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import type { StackConfig } from '../config.js';
import type { Tools } from '../install/index.js';
import { run } from '../run.js';
import type { StackServer } from './types.js';

interface PyKmipFiles {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/**
 * A private CA, a server certificate for 127.0.0.1 and one client certificate, made once
 * with openssl. This PKI belongs to the stand-in "customer HSM" and has nothing to do with
 * OpenKCM's own platform CA.
 */
async function ensurePki(dir: string, logFile: string): Promise<PyKmipFiles> {
  const files: PyKmipFiles = {
    caCert: path.join(dir, 'ca.pem'),
    serverCert: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server.key'),
    clientCert: path.join(dir, 'client.pem'),
    clientKey: path.join(dir, 'client.key'),
  };
  if (Object.values(files).every((f) => existsSync(f))) return files;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const fix = 'check that `openssl` works';
  const openssl = (args: string[]): Promise<void> => run('openssl', args, { cwd: dir, logFile, fix });
  const caKey = path.join(dir, 'ca.key');
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', files.caCert, '-days', '3650',
    '-subj', '/CN=OpenKCM dev PyKMIP CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const issue = async (name: string, subject: string, extensions: string, cert: string, key: string): Promise<void> => {
    const csr = path.join(dir, `${name}.csr`);
    const ext = path.join(dir, `${name}.ext`);
    await writeFile(ext, extensions);
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', subject]);
    await openssl(['x509', '-req', '-in', csr, '-CA', files.caCert, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '3650', '-extfile', ext]);
  };
  await issue('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n', files.serverCert, files.serverKey);
  await issue('client', '/CN=openkcm', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n', files.clientCert, files.clientKey);
  return files;
}

/** Ready when a mutual-TLS handshake with the client certificate succeeds. */
async function handshakes(port: number, files: PyKmipFiles): Promise<boolean> {
  const [ca, cert, key] = await Promise.all([readFile(files.caCert), readFile(files.clientCert), readFile(files.clientKey)]);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, cert, key, servername: 'localhost', timeout: 2_000 });
    socket.once('secureConnect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('timeout', () => socket.destroy());
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/**
 * PyKMIP's server (from the cached venv), standing in for a customer's KMIP-speaking HSM
 * (HYOK) and serving as the benchmark peer. Mutual TLS; state in a SQLite file.
 */
export async function pykmipServer(config: StackConfig, tools: Tools): Promise<StackServer<'pykmip'>> {
  const dir = path.join(config.dataDir, 'pykmip');
  const logsDir = path.join(config.dataDir, 'logs');
  const files = await ensurePki(dir, path.join(logsDir, 'pykmip-pki.log'));
  const policies = path.join(dir, 'policies');
  await mkdir(policies, { recursive: true });
  const conf = path.join(dir, 'server.conf');
  await writeFile(conf, [
    '[server]',
    'hostname=127.0.0.1',
    `port=${config.ports.pykmip}`,
    `certificate_path=${files.serverCert}`,
    `key_path=${files.serverKey}`,
    `ca_path=${files.caCert}`,
    'auth_suite=TLS1.2',
    `policy_path=${policies}`,
    'enable_tls_client_auth=True',
    `logging_level=${config.logLevel === 'debug' ? 'DEBUG' : 'INFO'}`,
    `database_path=${path.join(dir, 'pykmip.db')}`,
    '',
  ].join('\n'));
  return {
    ports: ['pykmip'],
    spec: {
      name: 'pykmip',
      title: 'PyKMIP server',
      command: tools.pykmipServer,
      // -l: PyKMIP's own log; without it PyKMIP writes to /var/log/pykmip.
      args: ['-f', conf, '-l', path.join(logsDir, 'pykmip-server.log')],
      env: { ...process.env, PYTHONWARNINGS: 'ignore' },
      readyTimeoutMs: 30_000,
      ready: () => handshakes(config.ports.pykmip, files),
    },
    info: () => ({ host: '127.0.0.1', port: config.ports.pykmip, caCert: files.caCert, clientCert: files.clientCert, clientKey: files.clientKey }),
  };
}
