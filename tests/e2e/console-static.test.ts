/**
 * The built console in Debian Chromium, with `/api/*` answered by a fake that follows
 * docs/api.md (tests/e2e/support/fake-api.ts). Proves the production bundle renders and the
 * main interactions work without any server of ours, and keeps a screenshot of each page
 * in test-results/screenshots/. The same journeys against the real stack are in journeys.test.ts.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, SCREENSHOT_DIR, openBrowser, overflowsHorizontally, screenshot, type ConsoleBrowser } from './support/browser.js';
import { buildConsole } from './support/build-console.js';
import { FakeApi } from './support/fake-api.js';
import { serveStatic, type StaticServer } from './support/static-server.js';

const chromiumMissing = !existsSync(CHROMIUM_PATH);
if (chromiumMissing) console.warn(`console browser tests skipped: no Chromium at ${CHROMIUM_PATH}`);

const PASSWORD = 'correct horse battery staple';
const LOCAL_KMS_ARN = 'arn:aws:kms:eu-central-1:111122223333:key/bc436485-5092-42b8-92a3-0aa8b93536dc';

describe.skipIf(chromiumMissing)('the built console in Chromium (API answered from fixtures)', () => {
  let dist: string;
  let server: StaticServer;
  let browser: ConsoleBrowser;
  let api: FakeApi;
  let page: Page;

  beforeAll(async () => {
    dist = await buildConsole();
    server = await serveStatic(dist);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    if (dist) await rm(dist, { recursive: true, force: true });
  });

  /** A fresh browser profile and a fresh fake API per test. */
  async function start(options: ConstructorParameters<typeof FakeApi>[0] = {}, viewport = { width: 1280, height: 900 }): Promise<void> {
    browser = await openBrowser(server.url);
    api = new FakeApi({ password: PASSWORD, ...options });
    await api.install(browser.context, server.url);
    page = await browser.newPage();
    await page.setViewportSize(viewport);
  }

  afterEach(async () => {
    expect(browser.external, 'the console must not fetch anything outside its origin').toEqual([]);
    await browser.close();
  });

  async function signIn(tenantId = api.tenantId): Promise<void> {
    await page.goto(`${server.url}/`);
    await page.getByLabel('Tenant id').fill(tenantId);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  }

  it('shows the login page, inline errors, and the retry time after too many attempts', async () => {
    await start({ lockAfterFailures: 2 });
    await page.goto(`${server.url}/master-key`);
    await expect(page.title()).resolves.toContain('Sign in');
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/master-key');
    await screenshot(page, 'login');

    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Enter your tenant id.').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Tenant id').getAttribute('aria-invalid')).resolves.toBe('true');

    await page.getByLabel('Tenant id').fill('acme');
    await page.getByLabel('User name').fill('admin');
    for (let attempt = 0; attempt < 2; attempt++) {
      await page.getByLabel('Password').fill('wrong');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('login-error').getByText('is not right').waitFor();
    }
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('retry-after').getByText(/try again in \d+ seconds/).waitFor();
    await expect(page.getByRole('button', { name: /Try again in/ }).isDisabled()).resolves.toBe(true);
    await screenshot(page, 'login-rate-limited');
  });

  it('signs in, returns to the page asked for, and shows the tenant overview', async () => {
    await start({ status: 'provisioning', readyAfterPolls: 1 });
    await page.goto(`${server.url}/`);
    await page.getByLabel('Tenant id').fill('acme');
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const status = page.getByTestId('tenant-status');
    await status.waitFor();
    // Provisioning → Ready while the page watches, with how long it took.
    await page.locator('[data-testid="tenant-status"][data-status="ready"]').waitFor({ timeout: 10_000 });
    await expect(status.textContent()).resolves.toMatch(/provisioning took/);
    await expect(page.getByTestId('kmip-endpoint').textContent()).resolves.toBe('kmip.openkcm.example:5696');
    await expect(page.getByTestId('unread-count').textContent()).resolves.toBe('2');
    await screenshot(page, 'overview');

    // Notification centre: open, mark one read, the count drops.
    await page.getByTestId('notification-button').click();
    await page.locator('#notification-panel').getByRole('button', { name: /^Mark read/ }).first().click();
    await page.getByTestId('unread-count').getByText('1').waitFor();
    await screenshot(page, 'notifications');
    await page.locator('#notification-panel').getByRole('button', { name: 'Mark all read' }).click();
    await page.getByTestId('unread-count').waitFor({ state: 'detached' });
    expect(api.requests.filter((r) => r.path === '/api/notifications/read-all')).toHaveLength(1);
    await page.keyboard.press('Escape');
    await page.waitForFunction(`document.activeElement?.getAttribute('data-testid') === 'notification-button'`, undefined, { timeout: 5_000 });
    await expect(page.locator('#notification-panel').isHidden()).resolves.toBe(true);
  });

  it('configures BYOK on AWS KMS: validates, tests, activates and shows Active', async () => {
    await start();
    await signIn();
    await page.getByRole('link', { name: 'Master key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Master Key Configuration' }).waitFor();
    // Focus moved to the new page's heading.
    await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('page-heading');
    await expect(page.getByTestId('save-button').isDisabled()).resolves.toBe(true);

    await page.getByLabel('Name', { exact: true }).fill('Production KMS key');
    await page.getByLabel('Key ARN').fill('arn:aws:kms:eu-central-1:1234:key/nope');
    await page.getByLabel('Key ARN').blur();
    await page.getByText('The account id must be 12 digits.').waitFor();
    await page.getByLabel('Key ARN').fill(LOCAL_KMS_ARN);
    await expect(page.getByLabel('Region').inputValue()).resolves.toBe('eu-central-1');
    await page.getByLabel('Access key id').fill('AKIAIOSFODNN7EXAMPLE');
    await page.getByLabel('Secret access key').fill('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    await expect(page.getByLabel('Secret access key').getAttribute('type')).resolves.toBe('password');
    await expect(page.locator('figure[aria-label="IAM policy"]').textContent()).resolves.toContain('kms:EncryptionContext:openkcm:tenant');
    await screenshot(page, 'master-key-aws-form');

    await page.getByTestId('test-button').click();
    // Live: the first step shows passed while the test still runs and the last one waits.
    await page.locator('[data-testid="test-panel"][data-phase="testing"] li[data-step="reachable"][data-status="passed"]').waitFor();
    await expect(page.locator('li[data-step="round-trip"]').getAttribute('data-status')).resolves.toMatch(/^(waiting|running)$/);
    await expect(page.getByTestId('save-button').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('test-announcements').textContent()).resolves.toContain('Keystore reachable: Passed');
    await screenshot(page, 'master-key-test-running');
    await page.locator('[data-testid="test-panel"][data-phase="done"]').waitFor();
    for (const step of ['reachable', 'authenticated', 'key-exists', 'enabled', 'usage', 'round-trip']) {
      await expect(page.locator(`li[data-step="${step}"]`).getAttribute('data-status')).resolves.toBe('passed');
    }
    await expect(page.getByTestId('save-button').isEnabled()).resolves.toBe(true);
    await screenshot(page, 'master-key-test-passed');

    // Changing the form invalidates the test.
    await page.getByLabel('Name', { exact: true }).fill('Production KMS key (edited)');
    await expect(page.getByTestId('save-button').isDisabled()).resolves.toBe(true);
    await page.getByTestId('test-stale').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Production KMS key');
    await expect(page.getByTestId('save-button').isEnabled()).resolves.toBe(true);

    await page.getByTestId('save-button').click();
    await page.locator('[data-testid="activation"][data-status="completed"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="l1-status"][data-status="active"]').waitFor({ timeout: 15_000 });
    // Secrets are gone from the page once saved.
    await expect(page.getByLabel('Secret access key').inputValue()).resolves.toBe('');
    await screenshot(page, 'master-key-active');
    const created = api.requests.find((r) => r.method === 'POST' && r.path === '/api/l1/configs');
    expect(created?.body).toMatchObject({ kind: 'aws-kms', settings: { keyArn: LOCAL_KMS_ARN, region: 'eu-central-1' } });
  });

  it('a failing test shows the failing step and its reason, and blocks saving', async () => {
    await start();
    await signIn();
    await page.goto(`${server.url}/master-key`);
    await page.getByLabel('Name', { exact: true }).fill('Wrong key');
    await page.getByLabel('Key ARN').fill('arn:aws:kms:eu-central-1:111122223333:key/00000000-0000-0000-0000-000000000000');
    await page.getByLabel('Access key id').fill('AKIAIOSFODNN7EXAMPLE');
    await page.getByLabel('Secret access key').fill('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    await page.getByTestId('test-button').click();
    await page.locator('[data-testid="test-panel"][data-phase="done"]').waitFor();
    await expect(page.locator('li[data-step="key-exists"]').getAttribute('data-status')).resolves.toBe('failed');
    await expect(page.locator('li[data-step="key-exists"]').textContent()).resolves.toContain('NotFoundException');
    await expect(page.locator('li[data-step="enabled"]').getAttribute('data-status')).resolves.toBe('skipped');
    await expect(page.getByTestId('test-summary').textContent()).resolves.toContain('Failed at “Key exists”');
    await expect(page.getByTestId('save-button').isDisabled()).resolves.toBe(true);
    await screenshot(page, 'master-key-test-failed');

    // Fixing the form and testing again replaces the failed draft instead of piling up drafts.
    await page.getByLabel('Key ARN').fill(LOCAL_KMS_ARN);
    await page.getByTestId('test-button').click();
    await page.locator('[data-testid="test-panel"][data-phase="done"]').waitFor();
    await expect(page.getByTestId('save-button').isEnabled()).resolves.toBe(true);
    expect(api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual(['/api/l1/configs/cfg-1']);
    const rows = page.locator('section[aria-labelledby="configs-heading"] tbody tr');
    await page.waitForFunction(`document.querySelectorAll('section[aria-labelledby="configs-heading"] tbody tr').length === 1`, undefined, { timeout: 5_000 });
    await expect(rows.first().locator('th').textContent()).resolves.toContain('Wrong key');
  });

  it('configures HYOK on a PKCS#11 HSM and a KMIP HSM with PEM validation', async () => {
    await start();
    await signIn();
    await page.goto(`${server.url}/master-key`);
    await page.getByLabel('HSM over KMIP').check();
    await page.getByLabel('Name', { exact: true }).fill('Datacenter HSM');
    await page.getByLabel('Host', { exact: true }).fill('hsm.example.com');
    await page.getByLabel('Port').fill('70000');
    await page.getByLabel('Key id').fill('4f2c');
    await page.getByLabel('CA certificate (PEM)').fill('not a pem');
    await page.getByTestId('test-button').click();
    await page.getByText('Ports range from 1 to 65535.').waitFor();
    await page.getByText('PEM text starts with -----BEGIN CERTIFICATE-----.').waitFor();
    // Focus went to the first field in error.
    await page.waitForFunction(`document.activeElement?.id === 'kmip-port'`, undefined, { timeout: 5_000 });
    await screenshot(page, 'master-key-kmip-invalid');

    await page.getByLabel('HSM over PKCS#11').check();
    await page.getByLabel('Name', { exact: true }).fill('SoftHSM');
    await page.getByLabel('PKCS#11 module path').fill('/usr/lib/softhsm/libsofthsm2.so');
    await page.getByLabel('Token label', { exact: true }).fill('openkcm');
    await page.getByLabel('Key label').fill('openkcm-l1');
    await page.getByLabel('User PIN').fill('1234');
    await page.getByTestId('test-button').click();
    await page.locator('[data-testid="test-panel"][data-phase="done"]').waitFor();
    await expect(page.getByTestId('save-button').isEnabled()).resolves.toBe(true);
    await page.getByTestId('save-button').click();
    await page.locator('[data-testid="l1-status"][data-status="active"]').waitFor({ timeout: 15_000 });
    const created = api.requests.filter((r) => r.method === 'POST' && r.path === '/api/l1/configs').at(-1);
    expect(created?.body).toMatchObject({ kind: 'pkcs11', settings: { modulePath: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'openkcm', keyLabel: 'openkcm-l1' }, secrets: { pin: '1234' } });
    await screenshot(page, 'master-key-pkcs11-active');
  });

  it('revoke needs the typed tenant id and then shows Revoked', async () => {
    await start({ l1Status: 'active' });
    await signIn();
    await page.goto(`${server.url}/master-key`);
    await page.locator('[data-testid="l1-status"][data-status="active"]').waitFor();
    await page.getByRole('button', { name: 'Revoke (kill switch)…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke access to your keys?' });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Revoke now' });
    await dialog.getByLabel('Reason').fill('Suspected credential leak');
    await dialog.getByLabel(/Type the tenant id/).fill('acm');
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await screenshot(page, 'master-key-revoke-dialog');
    await dialog.getByLabel(/Type the tenant id/).fill('acme');
    await expect(confirm.isEnabled()).resolves.toBe(true);
    await confirm.click();
    await page.locator('[data-testid="l1-status"][data-status="revoked"]').waitFor();
    await expect(page.getByTestId('l1-reason').textContent()).resolves.toContain('Suspected credential leak');
    await screenshot(page, 'master-key-revoked');
  });

  it('lists services, issues a generated certificate once, and shows connection snippets', async () => {
    await start({ withServices: true });
    await signIn();
    await page.getByRole('link', { name: 'Services' }).click();
    await page.getByTestId('service-row').first().waitFor();
    await screenshot(page, 'services');

    await page.getByRole('link', { name: 'mongodb-prod' }).click();
    await page.getByRole('heading', { name: 'Certificates' }).waitFor();
    await page.getByLabel('Generate a key pair for me').check();
    await page.getByRole('button', { name: 'Issue certificate' }).click();
    await page.getByTestId('issued-bundle').waitFor();
    await expect(page.getByTestId('p12-password').inputValue()).resolves.toBe('tq7-Vk3m-Qz9x-Lw2p');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download mongodb-prod.key.pem' }).click();
    expect((await download).suggestedFilename()).toBe('mongodb-prod.key.pem');
    await page.getByRole('tab', { name: 'Python CSFLE' }).click();
    await page.getByRole('tabpanel').getByText('kms_tls_options').waitFor();
    await screenshot(page, 'service-detail');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await expect(page.getByTestId('issued-bundle').count()).resolves.toBe(0);

    // Revoking a certificate asks for one of the reasons the API knows.
    const row = page.locator('[data-testid="certificate-row"][data-status="active"]').first();
    await row.getByRole('button', { name: /^Revoke/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this certificate?' });
    await dialog.getByLabel('Reason').selectOption('superseded');
    await dialog.getByRole('button', { name: 'Revoke certificate' }).click();
    await page.getByText(/revoked\. KMIP connections using it are refused/).waitFor();
    expect(api.requests.find((r) => r.path.endsWith('/revoke'))?.body).toEqual({ reason: 'superseded' });
  });

  it('hands over the bundle provisioning generated for the default service, once', async () => {
    await start({ withServices: true });
    await signIn();
    await page.goto(`${server.url}/services`);
    await page.getByText('certificate to collect').waitFor();
    await page.getByRole('link', { name: 'mongodb', exact: true }).click();
    await page.getByTestId('bundle-pending').waitFor();
    await page.getByRole('button', { name: 'Collect certificate and key' }).click();
    await page.getByTestId('issued-bundle').waitFor();
    for (const file of ['ca.pem', 'mongodb.crt.pem', 'mongodb.key.pem', 'mongodb.pem']) {
      await page.getByRole('button', { name: `Download ${file}` }).waitFor();
    }
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download mongodb.pem', exact: true }).click();
    const saved = await download;
    const text = await new Promise<string>((resolve, reject) => {
      void saved.createReadStream().then((stream) => {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        stream.on('end', () => resolve(data));
        stream.on('error', reject);
      }, reject);
    });
    expect(text.indexOf('PRIVATE KEY')).toBeGreaterThan(-1);
    expect(text.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    await expect(page.getByTestId('bundle-pending').count()).resolves.toBe(0);
    await screenshot(page, 'service-bundle');
  });

  it('filters and pages the audit log, exports it, and shows the chain status', async () => {
    await start({ withAudit: true, withServices: true });
    await signIn();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByTestId('audit-row').first().waitFor();
    await page.locator('[data-testid="chain-status"][data-ok="true"]').waitFor();
    await expect(page.getByTestId('audit-row').count()).resolves.toBe(50);
    await page.getByRole('button', { name: 'Older →' }).click();
    await page.getByText('Page 2', { exact: true }).waitFor();
    await screenshot(page, 'audit');
    await page.getByLabel('Result').selectOption('denied');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Page 1', { exact: true }).waitFor();
    await page.waitForFunction(`document.querySelectorAll('[data-testid="audit-row"]').length === 1`, undefined, { timeout: 5_000 });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    expect((await download).suggestedFilename()).toBe('audit-acme.csv');
    const exported = api.requests.find((r) => r.path === '/api/audit/export');
    expect(exported).toBeDefined();
  });

  it('lists the problems when the audit chain does not verify', async () => {
    await start({ withAudit: true, tamperedAudit: true });
    await signIn();
    await page.goto(`${server.url}/audit`);
    await page.locator('[data-testid="chain-status"][data-ok="false"]').waitFor();
    await expect(page.getByTestId('chain-status').textContent()).resolves.toContain('chain kmip-1 #4180 record evt-00042: altered');
    await screenshot(page, 'audit-chain-problem');
  });

  it('lets the administrator change the password', async () => {
    await start();
    await signIn();
    await page.getByRole('link', { name: /Your account/ }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    await screenshot(page, 'account');
  });

  it('charts KMIP operations and latency', async () => {
    await start({ withUsage: true });
    await signIn();
    await page.getByRole('link', { name: 'Key usage' }).click();
    await page.getByTestId('chart-operations').waitFor();
    await expect(page.getByTestId('chart-operations').locator('rect.bar').count()).resolves.toBe(60);
    await expect(page.getByTestId('chart-latency').locator('path.p99').getAttribute('d')).resolves.toMatch(/^M/);
    await screenshot(page, 'usage');
  });

  it('works at 375 px wide without horizontal scrolling', async () => {
    await start({ withServices: true, withUsage: true, withAudit: true, l1Status: 'active' }, { width: 375, height: 812 });
    await page.goto(`${server.url}/`);
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, 'mobile-login');
    await signIn();
    await page.getByTestId('tenant-status').waitFor();
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, 'mobile-overview');
    // The navigation sits behind the menu button.
    await page.getByRole('button', { name: 'Menu' }).click();
    await screenshot(page, 'mobile-menu');
    await page.getByRole('link', { name: 'Master key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Master Key Configuration' }).waitFor();
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, 'mobile-master-key');
    for (const [path, name, ready] of [
      ['/services/mongodb-prod', 'mobile-service-detail', 'Certificates'],
      ['/audit', 'mobile-audit', 'Events'],
      ['/usage', 'mobile-usage', 'Operations per minute'],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      await page.getByText(ready, { exact: true }).first().waitFor();
      await screenshot(page, name);
      expect(await overflowsHorizontally(page), `${path} overflows at 375 px`).toBe(false);
    }
  });

  it('an expired or rejected token sends the administrator back to the login page', async () => {
    await start();
    await signIn();
    // The API stops accepting the token (revoked, rotated signing key, …).
    await browser.context.route(
      (url) => url.pathname.startsWith('/api/') && url.pathname !== '/api/auth/login',
      (route) => route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unauthenticated', message: 'token expired' } }) }),
    );
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Sign in to the CMK console' }).waitFor();
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/audit');
    await page.getByText('Your session is no longer valid').waitFor();
    await expect(page.evaluate(`sessionStorage.getItem('openkcm.session')`)).resolves.toBeNull();
  });
});
