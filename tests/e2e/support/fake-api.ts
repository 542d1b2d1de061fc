/**
 * A stand-in for the OpenKCM API that follows docs/api.md, answered from inside Chromium with
 * `page.route`. It lets the browser tests prove the built console works (and take screenshots)
 * before the real API exists. It is stateful enough for the story's journeys: configure, test,
 * activate, revoke; it is not a second implementation of the API.
 */
import type { BrowserContext, Route } from 'playwright-core';
import type {
  Activation,
  AuditEvent,
  Certificate,
  DiagnosticStepResult,
  L1Config,
  L1ConfigInput,
  L1State,
  Notification,
  Service,
  Tenant,
  TestResult,
  UsagePoint,
} from '../../../console/src/api/types.js';

const STEPS = ['reachable', 'authenticated', 'key-exists', 'enabled', 'usage', 'round-trip'] as const;
/** A fake connection test reports one step per this many ms, so the browser tests can watch it run. */
const TEST_STEP_MS = 300;
const ACTIVATION_STEPS = ['preparing', 'testing connection', 'wrapping tenant key', 'activating', 'invalidating KMIP caches', 'effective'];

export const FAKE_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUQ2VydGlmaWNhdGVPcGVuS0NNUm9vdDAKBggqhkjOPQQD
AjAYMRYwFAYDVQQDDA1PcGVuS0NNIFJvb3QwHhcNMjYxMTI4MDAwMDAwWhcNMzYx
MTI4MDAwMDAwWjAYMRYwFAYDVQQDDA1PcGVuS0NNIFJvb3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQ2VydGlmaWNhdGVPcGVuS0NNUm9vdENlcnRpZmljYXRl
T3BlbktDTVJvb3RDZXJ0aWZpY2F0ZU9wZW5LQ01Sb290o1MwUTAdBgNVHQ4EFgQU
-----END CERTIFICATE-----`;

interface Options {
  tenantId?: string;
  displayName?: string;
  /** Tenant status on first load; `provisioning` turns ready after `readyAfterPolls` GETs. */
  status?: Tenant['status'];
  readyAfterPolls?: number;
  l1Status?: L1State['status'];
  withServices?: boolean;
  withUsage?: boolean;
  withAudit?: boolean;
  password?: string;
  /** Answer 429 with this Retry-After after this many failed logins. */
  lockAfterFailures?: number;
  /** The audit chain verification reports a problem. */
  tamperedAudit?: boolean;
}

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

function json(route: Route, status: number, body?: unknown, headers: Record<string, string> = {}): Promise<void> {
  return route.fulfill({
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  });
}

const apiError = (code: string, message: string, details?: Record<string, unknown>) => ({ error: { code, message, ...(details ? { details } : {}) } });

export class FakeApi {
  readonly tenantId: string;
  readonly token: string;
  readonly requests: { method: string; path: string; body?: unknown }[] = [];
  private readonly password: string;
  private failedLogins = 0;
  private tenantPolls = 0;
  private tenant: Tenant;
  private l1: L1State;
  private configs: L1Config[] = [];
  private configSeq = 0;
  private activation: Activation | undefined;
  private tests = new Map<string, { configId: string; startedAt: number; result: TestResult }>();
  private activationPolls = 0;
  private services: Service[] = [];
  private certificates = new Map<string, Certificate[]>();
  private notifications: Notification[] = [];
  private audit: AuditEvent[] = [];
  private usage: UsagePoint[] = [];
  private serial = 0x1a2b3c;
  private readonly tamperedAudit: boolean;

  constructor(private readonly options: Options = {}) {
    this.tenantId = options.tenantId ?? 'acme';
    this.token = `fake-jwt-for-${this.tenantId}`;
    this.password = options.password ?? 'correct horse battery staple';
    this.tamperedAudit = options.tamperedAudit ?? false;
    const status = options.status ?? 'ready';
    this.l1 = { status: options.l1Status ?? 'inactive', changedAt: iso(3_600_000), checkedAt: iso(40_000) };
    if (this.l1.status === 'active') Object.assign(this.l1, { configId: 'cfg-existing', currentL2Version: 3 });
    this.tenant = {
      id: this.tenantId,
      displayName: options.displayName ?? 'Acme Corporation',
      status,
      createdAt: iso(status === 'provisioning' ? 1_500 : 7_200_000),
      ...(status === 'ready' ? { readyAt: iso(7_195_800), provisioningDurationMs: 4_200 } : {}),
      l1: this.l1,
      services: { total: 0 },
      kmip: { endpoint: 'kmip.openkcm.example:5696' },
    };
    this.notifications = [
      { id: 'n1', kind: 'tenant-ready', title: 'OpenKCM is ready', message: 'Your CMK console is available and the crypto service is configured.', createdAt: iso(7_195_000) },
    ];
    if (options.withServices) {
      this.services = [
        { serviceId: 'mongodb', description: 'Default service created at provisioning', createdAt: iso(7_190_000), spiffeId: `spiffe://openkcm/tenant/${this.tenantId}/service/mongodb`, activeCertificates: 1, bundlePending: true },
        { serviceId: 'mongodb-prod', description: 'Orders database, production', createdAt: iso(7_100_000), spiffeId: `spiffe://openkcm/tenant/${this.tenantId}/service/mongodb-prod`, activeCertificates: 1 },
        { serviceId: 'reporting', createdAt: iso(3_000_000), spiffeId: `spiffe://openkcm/tenant/${this.tenantId}/service/reporting`, activeCertificates: 0 },
      ];
      this.certificates.set('mongodb', [this.makeCertificate('mongodb', 'active')]);
      this.certificates.set('mongodb-prod', [
        this.makeCertificate('mongodb-prod', 'active'),
        { ...this.makeCertificate('mongodb-prod', 'revoked'), revokedAt: iso(86_400_000) },
      ]);
    }
    if (options.withAudit) this.audit = this.makeAudit(120);
    if (options.withUsage) this.usage = this.makeUsage(60);
  }

  /** Answers every same-origin `/api/*` request of the context. */
  async install(context: BrowserContext, origin: string): Promise<void> {
    await context.route(
      (url) => url.origin === origin && url.pathname.startsWith('/api/'),
      (route) => this.handle(route),
    );
  }

  /** Turns the tenant degraded, the way the health workflow would. */
  degrade(reason: string): void {
    this.tenant.status = 'degraded';
    this.tenant.statusReason = reason;
  }

  private makeCertificate(serviceId: string, status: Certificate['status']): Certificate {
    this.serial += 0x1111;
    const hex = (this.serial * 2654435761).toString(16).padStart(8, '0');
    return {
      serial: this.serial.toString(16).toUpperCase().padStart(16, '0'),
      serviceId,
      notBefore: iso(86_400_000 * 3),
      notAfter: new Date(Date.now() + 86_400_000 * 362).toISOString(),
      fingerprintSha256: hex.repeat(8).slice(0, 64),
      status,
    };
  }

  private makeAudit(count: number): AuditEvent[] {
    const ops = ['kmip.get', 'kmip.create', 'kmip.encrypt', 'kmip.decrypt', 'l1.health', 'l1.activate', 'certificate.issue'];
    return Array.from({ length: count }, (_, i) => {
      const operation = ops[i % ops.length]!;
      const kmip = operation.startsWith('kmip.');
      const denied = i === 7;
      const failed = i === 19;
      return {
        id: `evt-${String(count - i).padStart(5, '0')}`,
        time: iso(i * 45_000 + 5_000),
        actor: kmip ? { kind: 'service', id: `spiffe://openkcm/tenant/${this.tenantId}/service/${i % 3 ? 'mongodb-prod' : 'reporting'}` } : { kind: 'user', id: 'admin' },
        ...(kmip ? { serviceId: i % 3 ? 'mongodb-prod' : 'reporting' } : {}),
        operation,
        ...(kmip ? { objectId: `k-${(i * 7919).toString(36)}`, l2Version: 3, latencyMs: 0.3 + (i % 5) * 0.21, clientAddress: '10.0.4.17:53110' } : {}),
        result: denied ? 'denied' : failed ? 'failure' : 'success',
        ...(denied ? { reason: 'object belongs to another tenant', crossTenant: true } : {}),
        ...(failed ? { reason: 'L1 key unreachable: connect ETIMEDOUT' } : {}),
        ...(operation === 'l1.activate' ? { details: { configId: 'cfg-existing', kmipNodes: 2 } } : {}),
      } satisfies AuditEvent;
    });
  }

  private makeUsage(minutes: number): UsagePoint[] {
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    return Array.from({ length: minutes }, (_, i) => {
      const t = now - (minutes - 1 - i) * 60_000;
      const wave = Math.sin(i / 6) * 0.5 + 0.5;
      const operations = i < 4 ? 0 : Math.round(80 + wave * 320 + (i % 7) * 11);
      return {
        minute: new Date(t).toISOString(),
        operations,
        errors: i === 31 ? 12 : i % 17 === 0 && operations ? 2 : 0,
        p50Ms: operations ? Number((0.35 + wave * 0.2).toFixed(2)) : 0,
        p99Ms: operations ? Number((1.2 + wave * 0.9 + (i === 31 ? 14 : 0)).toFixed(2)) : 0,
      };
    });
  }

  private testResultFor(config: L1Config): TestResult {
    const settings = config.settings;
    const text = JSON.stringify(settings);
    let failAt: (typeof STEPS)[number] | undefined;
    let message = '';
    if (text.includes('unreachable')) {
      failAt = 'reachable';
      message = 'connect ECONNREFUSED 127.0.0.1:1 (is the endpoint right, and is a firewall in the way?)';
    } else if (config.kind === 'aws-kms' && String(settings.keyArn).includes('00000000-0000-0000-0000-000000000000')) {
      failAt = 'key-exists';
      message = `KMS says NotFoundException: Key '${String(settings.keyArn)}' does not exist`;
    } else if (config.secretsConfigured.includes('pin') && config.label.includes('wrong')) {
      failAt = 'authenticated';
      message = 'C_Login failed: CKR_PIN_INCORRECT';
    }
    let failed = false;
    const steps: DiagnosticStepResult[] = STEPS.map((step, i) => {
      if (failed) return { step, status: 'skipped', message: 'Skipped because an earlier step failed.', durationMs: 0 };
      if (step === failAt) {
        failed = true;
        return { step, status: 'failed', message, durationMs: 31 + i };
      }
      const messages: Record<string, string> = {
        reachable: 'TLS connection established to the keystore endpoint',
        authenticated: 'Credentials accepted',
        'key-exists': 'Found the key',
        enabled: 'Key state is Enabled',
        usage: 'Key usage ENCRYPT_DECRYPT allows wrapping',
        'round-trip': 'Wrapped and unwrapped a 32-byte test value with the tenant context',
      };
      return { step, status: 'passed', message: messages[step] ?? 'ok', durationMs: [12, 48, 9, 3, 2, 27][i] ?? 5 };
    });
    return { ok: !failAt, steps, ...(failAt ? { failedStep: failAt } : {}) };
  }

  private async handle(route: Route): Promise<void> {
    const request = route.request();
    const url = new URL(request.url());
    const method = request.method();
    const path = url.pathname;
    let body: Record<string, unknown> = {};
    try {
      body = (request.postDataJSON() as Record<string, unknown> | null) ?? {};
    } catch {
      body = {};
    }
    this.requests.push({ method, path, ...(method === 'POST' ? { body } : {}) });

    if (method === 'POST' && path === '/api/auth/login') return this.login(route, body);
    if (request.headers().authorization !== `Bearer ${this.token}`) {
      return json(route, 401, apiError('unauthenticated', 'Sign in first.'));
    }

    const parts = path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
    const [a, b, c, d] = parts;
    // Route pattern with the ids replaced: `POST /services/:x/certificates/:x/revoke`.
    const pattern = parts.map((part, i) =>
      (a === 'l1' && b === 'configs' && (i === 2 || i === 4)) || ((a === 'services' || a === 'notifications') && i === 1) || (a === 'services' && i === 3) ? ':x' : part,
    );
    const key = `${method} /${pattern.join('/')}`;

    switch (key) {
      case 'GET /me':
        return json(route, 200, { username: 'admin', role: 'admin', tenantId: this.tenantId });
      case 'GET /tenant': {
        this.tenantPolls++;
        if (this.tenant.status === 'provisioning' && this.tenantPolls > (this.options.readyAfterPolls ?? 2)) {
          this.tenant.status = 'ready';
          this.tenant.readyAt = new Date().toISOString();
          this.tenant.provisioningDurationMs = Date.now() - Date.parse(this.tenant.createdAt);
          this.notifications.unshift({ id: 'n-ready', kind: 'tenant-ready', title: 'OpenKCM is ready', message: 'Your CMK console is available.', createdAt: new Date().toISOString() });
        }
        return json(route, 200, { ...this.tenant, l1: this.l1, services: { total: this.services.length } });
      }
      case 'GET /l1':
        return json(route, 200, { ...this.l1, checkedAt: this.l1.status === 'inactive' ? undefined : new Date().toISOString() });
      case 'GET /l1/configs':
        return json(route, 200, { items: this.configs });
      case 'POST /l1/configs':
        return this.createConfig(route, body as unknown as L1ConfigInput);
      case 'GET /l1/configs/:x': {
        const config = this.configs.find((x) => x.id === c);
        return config ? json(route, 200, config) : json(route, 404, apiError('not_found', 'No such configuration.'));
      }
      case 'DELETE /l1/configs/:x': {
        const config = this.configs.find((x) => x.id === c);
        if (!config) return json(route, 404, apiError('not_found', 'L1 configuration not found'));
        if (config.state === 'active' || this.l1.configId === config.id) return json(route, 409, apiError('conflict', `the L1 key (${this.l1.status}) uses this configuration`));
        this.configs = this.configs.filter((x) => x !== config);
        return route.fulfill({ status: 204, body: '' });
      }
      case 'POST /l1/configs/:x/tests': {
        const config = this.configs.find((x) => x.id === c);
        if (!config) return json(route, 404, apiError('not_found', 'No such configuration.'));
        const testId = `00000000-0000-4000-8000-${String(this.tests.size + 1).padStart(12, '0')}`;
        this.tests.set(testId, { configId: config.id, startedAt: Date.now(), result: this.testResultFor(config) });
        return json(route, 202, { testId }, { Location: `/api/l1/configs/${config.id}/tests/${testId}` });
      }
      case 'GET /l1/configs/:x/tests/:x':
        return this.testStatus(route, c ?? '', parts[4] ?? '');      case 'POST /l1/configs/:x/activate': {
        const config = this.configs.find((x) => x.id === c);
        if (!config) return json(route, 404, apiError('not_found', 'No such configuration.'));
        if (!config.lastTest?.ok) return json(route, 409, apiError('test_required', 'Test the connection first.'));
        this.activation = { workflowId: `l1-activate/${this.tenantId}`, runId: `run-${Date.now()}`, startedAt: new Date().toISOString(), step: 'preparing', status: 'running' };
        this.activationPolls = 0;
        this.l1 = { status: 'activating', configId: config.id, changedAt: new Date().toISOString() };
        return json(route, 202, { workflowId: this.activation.workflowId, runId: this.activation.runId });
      }
      case 'GET /l1/activation':
        return this.activationStatus(route);
      case 'POST /l1/rotate':
        if (body.confirm !== this.tenantId) return json(route, 400, apiError('invalid_request', 'Type the tenant id to confirm.', { fields: { confirm: 'does not match the tenant id' } }));
        this.l1 = { ...this.l1, currentL2Version: (this.l1.currentL2Version ?? 1) + 1, changedAt: new Date().toISOString() };
        return json(route, 200, { l2Version: this.l1.currentL2Version });
      case 'POST /l1/revoke':
        if (body.confirm !== this.tenantId) return json(route, 400, apiError('invalid_request', 'Type the tenant id to confirm.', { fields: { confirm: 'does not match the tenant id' } }));
        this.l1 = { ...this.l1, status: 'revoked', reason: `Revoked by admin: ${String(body.reason ?? '')}`, changedAt: new Date().toISOString() };
        return json(route, 200, { status: 'revoked' });
      case 'GET /services':
        return json(route, 200, { items: this.services });
      case 'POST /services': {
        const serviceId = String(body.serviceId ?? '');
        if (this.services.some((s) => s.serviceId === serviceId)) return json(route, 409, apiError('conflict', 'Service exists.'));
        const service: Service = { serviceId, ...(body.description ? { description: String(body.description) } : {}), createdAt: new Date().toISOString(), spiffeId: `spiffe://openkcm/tenant/${this.tenantId}/service/${serviceId}`, activeCertificates: 0 };
        this.services.push(service);
        return json(route, 201, service);
      }
      case 'GET /services/:x': {
        const service = this.services.find((s) => s.serviceId === b);
        if (!service) return json(route, 404, apiError('not_found', 'No such service.'));
        const certificates = this.certificates.get(service.serviceId) ?? [];
        return json(route, 200, { ...service, activeCertificates: certificates.filter((x) => x.status === 'active').length, certificates });
      }
      case 'GET /services/:x/snippets':
        return json(route, 200, this.snippets(b ?? ''));
      case 'POST /services/:x/certificates': {
        const service = this.services.find((s) => s.serviceId === b);
        if (!service) return json(route, 404, apiError('not_found', 'No such service.'));
        const certificate = this.makeCertificate(service.serviceId, 'active');
        this.certificates.set(service.serviceId, [certificate, ...(this.certificates.get(service.serviceId) ?? [])]);
        const generated = body.generate === true;
        if (!generated && !String(body.csrPem ?? '').includes('CERTIFICATE REQUEST')) {
          return json(route, 400, apiError('invalid_request', 'Invalid request.', { fields: { csrPem: 'is not a PEM certificate signing request' } }));
        }
        return json(route, 201, {
          certificate,
          certificatePem: FAKE_CA_PEM,
          chainPem: `${FAKE_CA_PEM}\n${FAKE_CA_PEM}`,
          caPem: FAKE_CA_PEM,
          ...(generated
            ? { privateKeyPem: '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZmFrZWtleWZha2VrZXk=\n-----END PRIVATE KEY-----', pkcs12Base64: 'MIIBAgEDMAsGCSqGSIb3DQEHAQ==', pkcs12Password: 'tq7-Vk3m-Qz9x-Lw2p' }
            : {}),
        });
      }
      case 'POST /services/:x/bundle': {
        const service = this.services.find((s) => s.serviceId === b);
        if (!service?.bundlePending) return json(route, 404, apiError('not_found', 'No bundle waiting.'));
        service.bundlePending = false;
        const certificate = (this.certificates.get(service.serviceId) ?? [])[0] ?? this.makeCertificate(service.serviceId, 'active');
        return json(route, 200, {
          certificate,
          certificatePem: FAKE_CA_PEM,
          chainPem: `${FAKE_CA_PEM}\n${FAKE_CA_PEM}`,
          caPem: FAKE_CA_PEM,
          privateKeyPem: '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZmFrZWtleWZha2VrZXk=\n-----END PRIVATE KEY-----',
        });
      }
      case 'POST /services/:x/certificates/:x/revoke': {
        const reasons = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn'];
        if (body.reason !== undefined && !reasons.includes(String(body.reason))) {
          return json(route, 400, apiError('invalid_request', 'Invalid request.', { fields: { reason: 'is not a revocation reason' } }));
        }
        const certs = this.certificates.get(b ?? '') ?? [];
        const cert = certs.find((x) => x.serial === d);
        if (!cert) return json(route, 404, apiError('not_found', 'No such certificate.'));
        cert.status = 'revoked';
        cert.revokedAt = new Date().toISOString();
        return json(route, 200, cert);
      }
      case 'GET /audit':
        return this.auditPage(route, url.searchParams);
      case 'GET /audit/export': {
        const format = url.searchParams.get('format');
        const rows = this.filteredAudit(url.searchParams);
        const content = format === 'csv' ? ['id,time,actor,operation,result', ...rows.map((r) => `${r.id},${r.time},${r.actor.id},${r.operation},${r.result}`)].join('\n') : JSON.stringify(rows);
        return route.fulfill({ status: 200, headers: { 'Content-Type': format === 'csv' ? 'text/csv' : 'application/json', 'Content-Disposition': `attachment; filename="audit-${this.tenantId}.${format}"` }, body: content });
      }
      case 'GET /audit/verify':
        return json(route, 200, this.tamperedAudit
          ? { ok: false, chains: 2, records: this.audit.length, problems: [{ chain: 'kmip-1', sequence: 4180, recordId: 'evt-00042', problem: 'altered: stored hash does not match the record' }], verifiedAt: new Date().toISOString() }
          : { ok: true, chains: 2, records: this.audit.length, problems: [], verifiedAt: new Date().toISOString() });
      case 'GET /notifications':
        return json(route, 200, { items: this.notifications });
      case 'POST /notifications/:x': {
        if (b !== 'read-all') return json(route, 404, apiError('not_found', `fake API: no route ${method} ${path}`));
        const unread = this.notifications.filter((n) => !n.readAt);
        for (const n of unread) n.readAt = new Date().toISOString();
        return json(route, 200, { marked: unread.length });
      }
      case 'POST /notifications/:x/read': {
        const note = this.notifications.find((n) => n.id === b);
        if (note) note.readAt = new Date().toISOString();
        return route.fulfill({ status: 204, body: '' });
      }
      case 'GET /usage':
      {
        const series = this.usage.slice(-Number(url.searchParams.get('minutes') ?? 60));
        const operations = series.reduce((n, p) => n + p.operations, 0);
        const errors = series.reduce((n, p) => n + p.errors, 0);
        return json(route, 200, { series, totals: { operations, errors, p50Ms: operations ? 0.46 : 0, p99Ms: operations ? 2.1 : 0 } });
      }
      default:
        return json(route, 404, apiError('not_found', `fake API: no route ${method} ${path}`));
    }
  }

  private async login(route: Route, body: Record<string, unknown>): Promise<void> {
    const lockAfter = this.options.lockAfterFailures ?? Infinity;
    if (this.failedLogins >= lockAfter) return json(route, 429, apiError('rate_limited', 'Too many attempts.'), { 'Retry-After': '30' });
    if (body.tenantId !== this.tenantId || body.username !== 'admin' || body.password !== this.password) {
      this.failedLogins++;
      return json(route, 401, apiError('unauthenticated', 'Bad credentials.'));
    }
    return json(route, 200, {
      token: this.token,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      user: { username: 'admin', role: 'admin', tenantId: this.tenantId },
    });
  }

  private createConfig(route: Route, input: L1ConfigInput): Promise<void> {
    if (!input.label) return json(route, 400, apiError('invalid_request', 'Invalid configuration.', { fields: { label: 'is required' } }));
    const config: L1Config = {
      id: `cfg-${++this.configSeq}`,
      kind: input.kind,
      label: input.label,
      settings: { ...input.settings },
      secretsConfigured: Object.entries(input.secrets).filter(([, v]) => v).map(([k]) => k),
      createdAt: new Date().toISOString(),
      createdBy: 'admin',
      state: 'draft',
    };
    this.configs.push(config);
    return json(route, 201, config);
  }

  /** Reveals one step per TEST_STEP_MS (a failure and the skipped steps after it at once), like a worker reporting live. */
  private testStatus(route: Route, configId: string, testId: string): Promise<void> {
    const test = this.tests.get(testId);
    const config = this.configs.find((x) => x.id === configId);
    if (!test || test.configId !== configId || !config) return json(route, 404, apiError('not_found', 'connection test not found'));
    const landed = Math.floor((Date.now() - test.startedAt) / TEST_STEP_MS);
    const failedAt = test.result.steps.findIndex((s) => s.status === 'failed');
    const shown = failedAt >= 0 && landed > failedAt ? STEPS.length : Math.min(landed, STEPS.length);
    const steps = STEPS.map((step, i) => (i < shown ? test.result.steps[i]! : { step, status: 'pending' as const }));
    const startedAt = new Date(test.startedAt).toISOString();
    if (shown < STEPS.length) return json(route, 200, { testId, status: 'running', startedAt, steps });
    config.lastTest = { ...test.result, at: new Date().toISOString() };
    return json(route, 200, { testId, status: 'completed', startedAt, steps, result: test.result });
  }

  private activationStatus(route: Route): Promise<void> {
    const a = this.activation;
    if (!a) return json(route, 404, apiError('not_found', 'No activation yet.'));
    if (a.status === 'running') {
      this.activationPolls++;
      const index = Math.min(this.activationPolls, ACTIVATION_STEPS.length);
      if (index >= ACTIVATION_STEPS.length) {
        a.status = 'completed';
        a.step = 'done';
        const version = (this.l1.currentL2Version ?? 0) + 1;
        a.result = { ok: true, status: 'active', l2Version: version, nodesInvalidated: 2, durationMs: 3_400 };
        for (const c of this.configs) if (c.state === 'active') c.state = 'retired';
        const config = this.configs.find((c) => c.id === this.l1.configId);
        if (config) config.state = 'active';
        this.l1 = { status: 'active', configId: this.l1.configId, currentL2Version: version, checkedAt: new Date().toISOString(), changedAt: new Date().toISOString() };
        this.notifications.unshift({ id: `n-act-${Date.now()}`, kind: 'l1-activated', title: 'L1 key is active', message: `Your L1 customer master key is active. Tenant key version ${version} is in use.`, createdAt: new Date().toISOString() });
      } else {
        a.step = ACTIVATION_STEPS[index]!;
      }
    }
    return json(route, 200, a);
  }

  private filteredAudit(params: URLSearchParams): AuditEvent[] {
    return this.audit.filter(
      (event) =>
        (!params.get('result') || event.result === params.get('result')) &&
        (!params.get('operation') || event.operation === params.get('operation')) &&
        (!params.get('actor') || event.actor.id === params.get('actor')) &&
        (!params.get('serviceId') || event.serviceId === params.get('serviceId')) &&
        (!params.get('crossTenant') || event.crossTenant === true),
    );
  }

  private auditPage(route: Route, params: URLSearchParams): Promise<void> {
    const rows = this.filteredAudit(params);
    const offset = Number(params.get('cursor') ?? 0);
    const limit = Number(params.get('limit') ?? 50);
    const items = rows.slice(offset, offset + limit);
    return json(route, 200, { items, ...(offset + limit < rows.length ? { nextCursor: String(offset + limit) } : {}) });
  }

  private snippets(serviceId: string) {
    const endpoint = this.tenant.kmip.endpoint;
    const [host, port] = endpoint.split(':');
    return {
      kmipEndpoint: endpoint,
      caPem: FAKE_CA_PEM,
      nodeCsfle: `import { MongoClient, ClientEncryption } from 'mongodb';
import { readFileSync } from 'node:fs';

const kmsProviders = { kmip: { endpoint: '${endpoint}' } };
const tlsOptions = {
  kmip: {
    tlsCAFile: 'openkcm-ca.pem',
    tlsCertificateKeyFile: '${serviceId}.mongodb.pem',
  },
};

const client = new MongoClient(process.env.MONGODB_URI);
const encryption = new ClientEncryption(client, { keyVaultNamespace: 'encryption.__keyVault', kmsProviders, tlsOptions });
const dataKeyId = await encryption.createDataKey('kmip');`,
      pythonCsfle: `from pymongo import MongoClient
from pymongo.encryption import ClientEncryption
from bson.codec_options import CodecOptions

kms_providers = {"kmip": {"endpoint": "${endpoint}"}}
kms_tls_options = {"kmip": {"tlsCAFile": "openkcm-ca.pem", "tlsCertificateKeyFile": "${serviceId}.mongodb.pem"}}

client = MongoClient()
encryption = ClientEncryption(kms_providers, "encryption.__keyVault", client, CodecOptions(), kms_tls_options=kms_tls_options)
data_key_id = encryption.create_data_key("kmip")`,
      mongodEncryptionAtRest: `# mongod.conf (MongoDB Enterprise)
security:
  enableEncryption: true
  kmip:
    serverName: ${host}
    port: ${port}
    serverCAFile: /etc/mongodb/openkcm-ca.pem
    clientCertificateFile: /etc/mongodb/${serviceId}.mongodb.pem`,
      fieldEncryptionClient: `import { OpenKcmFieldEncryption } from 'openkcm/clients/mongodb';

const fields = await OpenKcmFieldEncryption.connect({
  endpoint: '${endpoint}',
  ca: 'openkcm-ca.pem',
  cert: '${serviceId}.crt.pem',
  key: '${serviceId}.key.pem',
});
const doc = await fields.encrypt({ name: 'John Doe', email: 'john@company.com' }, ['name', 'email']);`,
    };
  }
}
