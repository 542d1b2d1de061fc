/**
 * The user story end to end against the running stack (API, worker, Temporal, FerretDB,
 * local-kms), driven the way people drive it: the CLI acting as Platform Mesh and as the tenant
 * administrator, and the HTTP API the console uses.
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { stack } from '../../support/stack.js';


const info = stack();
const tenantId = `journey-${randomBytes(3).toString('hex')}`;
const dataDir = await mkdtemp(path.join(tmpdir(), 'okcm-journey-'));
const webhookSecretFile = info.secrets.webhookSecretFile;

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const progress: string[] = [];
  const code = await main([...args, '--api-url', info.api.url, '--data-dir', dataDir, '--webhook-secret-file', webhookSecretFile, '--timeout', '60'], {
    output: { out: (l) => out.push(l), progress: (l) => progress.push(l) },
    env: { ...env, OPENKCM_TENANT: tenantId },
  });
  return { code, out: out.join('\n'), progress: progress.join('\n') };
}

async function api(method: string, route: string, token?: string, body?: unknown) {
  const response = await fetch(`${info.api.url}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, text };
}

describe('tenant journey', { timeout: 120_000 }, () => {
  let token: string;
  const SECRET = randomBytes(30).toString('base64');

  it('Platform Mesh creates the tenant: provisioned, credentials handed over once', async () => {
    const created = await cli(['tenant', 'create', tenantId, '--name', 'Journey Inc']);
    expect(created.code, created.progress).toBe(0);
    expect(created.out).toContain(`Tenant ${tenantId} is ready.`);
    const saved = JSON.parse(await readFile(path.join(dataDir, 'credentials', `${tenantId}.json`), 'utf8')) as { username: string; password: string };
    expect(saved.username).toBe('admin');

    const login = await api('POST', '/api/auth/login', undefined, { tenantId, username: saved.username, password: saved.password });
    expect(login.status).toBe(200);
    token = login.json!.token as string;

    const tenant = await api('GET', '/api/tenant', token);
    expect(tenant.json).toMatchObject({ id: tenantId, displayName: 'Journey Inc', status: 'ready', l1: { status: 'inactive' }, services: { total: 1 } });
    const notifications = await api('GET', '/api/notifications', token);
    expect((notifications.json!.items as Array<{ kind: string }>).map((n) => n.kind)).toContain('console-available');
  });

  it('the default MongoDB service’s bundle from provisioning is downloaded once', async () => {
    const out = path.join(dataDir, 'mongodb');
    const registered = await cli(['service', 'register', 'mongodb', '--out', out]);
    expect(registered.code, registered.progress).toBe(0);
    expect(registered.progress).toContain('downloaded the certificate bundle generated at provisioning');
    const cert = new X509Certificate(await readFile(path.join(out, 'mongodb.crt.pem')));
    expect(cert.subjectAltName).toBe(`URI:spiffe://openkcm/tenant/${tenantId}/service/mongodb`);
    expect((await stat(path.join(out, 'mongodb.pem'))).mode & 0o777).toBe(0o600);
    expect((await api('POST', '/api/services/mongodb/bundle', token)).status).toBe(404);
  });

  it('the administrator configures, tests and activates an AWS KMS key', async () => {
    const configured = await cli(
      ['l1', 'configure', '--kind', 'aws-kms', '--label', 'demo', '--key-arn', info.localKms.demoKeyArn, '--endpoint', info.localKms.endpoint, '--access-key-id', 'AKIAIOSFODNN7EXAMPLE'],
      { AWS_SECRET_ACCESS_KEY: SECRET },
    );
    expect(configured.code, configured.progress).toBe(0);

    const tested = await cli(['l1', 'test']);
    expect(tested.code, tested.out).toBe(0);
    expect(tested.out).toContain('✓ round-trip');

    const activated = await cli(['l1', 'activate']);
    expect(activated.code, `${activated.out}\n${activated.progress}`).toBe(0);
    expect(activated.out).toMatch(/L1 key is ACTIVE in \d+\.\d s: tenant key v1/);
    const state = await api('GET', '/api/l1', token);
    expect(state.json).toMatchObject({ status: 'active', currentL2Version: 1 });
    const activation = await api('GET', '/api/l1/activation', token);
    expect(activation.json).toMatchObject({ status: 'completed', step: 'done', result: { ok: true, status: 'active', l2Version: 1 } });
    const configs = await api('GET', '/api/l1/configs', token);
    expect(configs.text).not.toContain(SECRET);
    // Nor in any log line of the stack's processes.
    for (const name of ['api.log', 'worker.log']) {
      const log = await readFile(path.join(info.logsDir, name), 'utf8');
      expect(log, name).not.toContain(SECRET);
    }
    const [config] = configs.json!.items as Array<{ state: string; lastTest?: { ok: boolean } }>;
    expect(config).toMatchObject({ state: 'active', lastTest: { ok: true } });
  });

  it('rotation adds a tenant key version; the audit trail verifies and shows who did what', async () => {
    const rotated = await cli(['l1', 'rotate', '--confirm', tenantId]);
    expect(rotated.code, rotated.progress).toBe(0);
    expect(rotated.out).toContain('version 2');

    const audit = await api('GET', '/api/audit?actor=admin&limit=100', token);
    const operations = (audit.json!.items as Array<{ operation: string }>).map((e) => e.operation);
    expect(operations).toEqual(expect.arrayContaining(['auth.login', 'l1.config.create', 'l1.test', 'l1.activate', 'l2.rotate', 'service.bundle.download']));
    const verified = await cli(['audit', 'verify']);
    expect(verified.code, verified.out).toBe(0);
    expect(verified.out).toContain('Audit trail intact');
  });

  it('the kill switch revokes the key, and offboarding ends the tenant’s sessions', async () => {
    const revoked = await cli(['l1', 'revoke', '--confirm', tenantId, '--reason', 'journey drill']);
    expect(revoked.code, revoked.progress).toBe(0);
    expect((await api('GET', '/api/l1', token)).json).toMatchObject({ status: 'revoked', reason: 'journey drill' });

    const deleted = await cli(['tenant', 'delete', tenantId]);
    expect(deleted.code, deleted.progress).toBe(0);
    expect((await api('GET', '/api/tenant', token)).status).toBe(401);
  });
});
