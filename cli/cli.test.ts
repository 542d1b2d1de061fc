import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApi } from '../api/testing/use-test-api.js';
import { TenantIdSearchAttribute, workflowIds } from '../workflows/contracts.js';
import { main } from './main.js';

const api = useTestApi({ temporal: true, config: { workflowWaitMs: 1_000 } });
let dataDir: string;
let secretFile: string;

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYcliSecret';

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const progress: string[] = [];
  const code = await main([...args, '--api-url', api.url, '--data-dir', dataDir, '--webhook-secret-file', secretFile], {
    output: { out: (l) => out.push(l), progress: (l) => progress.push(l) },
    env,
  });
  return { code, out: out.join('\n'), progress: progress.join('\n') };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'okcm-cli-'));
  secretFile = path.join(dataDir, 'webhook.secret');
  await writeFile(secretFile, `${api.webhookSecret.toString('base64')}\n`, { mode: 0o600 });
}, 120_000);

describe('openkcm CLI', () => {
  it('tenant create sends the signed webhook, waits for Ready, then prints and saves the credentials once', async () => {
    const creating = run(['tenant', 'create', 'acme', '--name', 'ACME Corp', '--timeout', '30']);
    // Stand in for the provisioning workflow's first steps (the worker is not part of this test).
    await new Promise((r) => setTimeout(r, 1_200));
    await api.deps.repos.tenants.createIfAbsent('acme', 'ACME Corp');
    await new Promise((r) => setTimeout(r, 700));
    await api.deps.repos.users.createIfAbsent('acme', 'admin', 'admin');
    await api.deps.repos.tenants.setStatus('acme', 'ready');
    const result = await creating;
    expect(result.code).toBe(0);
    expect(result.progress).toContain('tenant.created sent for acme');
    expect(result.progress).toContain('provisioning');
    expect(result.progress).toMatch(/ready in \d+\.\d s/);
    expect(result.out).toContain('Tenant acme is ready.');
    expect(result.out).toContain(`Console:  ${api.url}/`);
    const password = /Password: (\S+)/.exec(result.out)?.[1];
    expect(password).toBeTruthy();

    const description = await api.deps.temporal.workflow.getHandle(workflowIds.provision('acme')).describe();
    expect(description.typedSearchAttributes.get(TenantIdSearchAttribute)).toBe('acme');

    const file = path.join(dataDir, 'credentials', 'acme.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ tenantId: 'acme', username: 'admin', password });

    const again = await run(['tenant', 'create', 'acme', '--timeout', '5']);
    expect(again.code).toBe(0);
    expect(again.out).not.toContain('Password:');
    expect(again.out).toContain('handed over earlier');
  });

  it('tenant status reads the signed platform endpoint', async () => {
    const result = await run(['tenant', 'status', 'acme', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ id: 'acme', displayName: 'ACME Corp', status: 'ready', l1: { status: 'inactive' } });
    const text = await run(['tenant', 'status', 'acme']);
    expect(text.out).toContain('L1 key:    inactive');
    expect((await run(['tenant', 'status', 'nosuch'])).code).toBe(1);
  });

  it('l1 configure logs in with the saved credentials and never prints the secret', async () => {
    const result = await run(
      [
        'l1', 'configure', '--kind', 'aws-kms', '--label', 'prod',
        '--key-arn', 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        '--endpoint', 'http://127.0.0.1:4599', '--access-key-id', 'AKIAIOSFODNN7EXAMPLE',
      ],
      { AWS_SECRET_ACCESS_KEY: SECRET },
    );
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Saved L1 configuration [0-9a-f-]{36} \(aws-kms, "prod"\); secrets set: accessKeyId, secretAccessKey/);
    expect(`${result.out}${result.progress}${api.logs.join('')}`).not.toContain(SECRET);
    const configs = await api.deps.repos.l1Configs.list('acme');
    expect(configs).toHaveLength(1);

    const invalid = await run(['l1', 'configure', '--kind', 'aws-kms', '--key-arn', 'nope']);
    expect(invalid.code).toBe(1);
    expect(invalid.progress).toContain('settings.keyArn');
  });

  it('l1 test reports a worker that does not answer; rotate and revoke demand the typed tenant id', async () => {
    const test = await run(['l1', 'test']);
    expect(test.code).toBe(1);
    expect(test.progress).toContain('did not finish in time');
    expect((await run(['l1', 'rotate'])).code).toBe(2);
    expect((await run(['l1', 'revoke', '--confirm', 'other', '--reason', 'x'])).code).toBe(2);
    expect((await run(['l1', 'status'])).out).toContain('L1 key: inactive');
  });

  it('service register writes certificate, key, chain, CA and PKCS#12 with private files 0600', async () => {
    const out = path.join(dataDir, 'orders-bundle');
    const result = await run(['service', 'register', 'orders', '--out', out, '--description', 'Orders']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Wrote ca.pem, orders.crt.pem, orders.key.pem, orders.pem, orders.p12, orders.p12.password');
    const [leaf, issuing] = (await readFile(path.join(out, 'orders.crt.pem'), 'utf8')).split(/(?<=-----END CERTIFICATE-----\n)/);
    const cert = new X509Certificate(leaf!);
    expect(cert.subjectAltName).toBe('URI:spiffe://openkcm/tenant/acme/service/orders');
    expect(cert.verify(new X509Certificate(issuing!).publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(await readFile(path.join(out, 'orders.key.pem'))))).toBe(true);
    for (const name of ['orders.key.pem', 'orders.pem', 'orders.p12', 'orders.p12.password']) {
      expect((await stat(path.join(out, name))).mode & 0o777, name).toBe(0o600);
    }
    expect(await readFile(path.join(out, 'orders.pem'), 'utf8')).toMatch(/BEGIN CERTIFICATE[\s\S]*BEGIN CERTIFICATE[\s\S]*PRIVATE KEY/);
    // A second run for the same service issues another certificate.
    expect((await run(['service', 'register', 'orders', '--out', out])).code).toBe(0);
    expect((await api.deps.pki.listCertificates({ tenantId: 'acme', serviceId: 'orders' })).length).toBe(2);
  });

  it('audit verify checks the chain', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const result = await run(['audit', 'verify']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Audit trail intact');
  });

  it('usage errors exit 2; the bin script runs the TypeScript CLI', async () => {
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['tenant', 'create', 'Bad_Tenant'])).code).toBe(2);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.resolve('bin/openkcm.mjs'), 'tenant', 'status', 'acme', '--api-url', api.url, '--webhook-secret-file', secretFile],
      { timeout: 30_000 },
    );
    expect(stdout).toContain('Tenant:    acme (ACME Corp)');
  });
});
