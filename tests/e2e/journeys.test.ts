/**
 * The user story's journeys in Debian Chromium against the REAL stack (API, worker, Temporal,
 * FerretDB, local-kms, SoftHSM): Platform Mesh enables OpenKCM by webhook and the administrator
 * sees Ready; BYOK on local-kms and HYOK on SoftHSM are configured, tested and activated; a
 * failing test shows its step and blocks saving; revoke shows Revoked; one tenant's administrator
 * never sees another tenant. Skips, saying why, when no stack or no real API is there.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/stack.js';
import { SCREENSHOT_DIR, openBrowser, screenshot, type ConsoleBrowser } from './support/browser.js';
import { PlatformMesh, realStackProblem } from './support/real-stack.js';
import { createSoftHsmL1Key } from './support/softhsm-key.js';

const problem = await realStackProblem();
if (problem) console.warn(`console journeys against the real stack skipped: ${problem}`);

const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

interface Admin {
  tenantId: string;
  displayName: string;
  username: string;
  password: string;
}

describe.skipIf(!!problem)('the story in the console, against the real stack', () => {
  let browser: ConsoleBrowser;
  let mesh: PlatformMesh;
  let consoleUrl: string;
  const run = randomBytes(3).toString('hex');
  const tenantA: Admin = { tenantId: `e2e-a-${run}`, displayName: `Acme ${run}`, username: '', password: '' };
  const tenantB: Admin = { tenantId: `e2e-b-${run}`, displayName: `Globex ${run}`, username: '', password: '' };

  beforeAll(async () => {
    const info = stack();
    consoleUrl = info.console.url.replace(/\/$/, '');
    mesh = await PlatformMesh.fromStack(info);
    browser = await openBrowser(new URL(consoleUrl).origin, { executablePath: info.tools.chromium });
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    // Tenant B is provisioned behind the scenes; tenant A goes through the first journey.
    await mesh.tenantCreated(tenantB.tenantId, tenantB.displayName);
    Object.assign(tenantB, await mesh.initialCredentials(tenantB.tenantId));
  }, 120_000);

  afterAll(async () => {
    if (browser) {
      expect(browser.external, 'the console must not fetch anything outside its origin').toEqual([]);
      await browser.close();
    }
  });

  async function signIn(page: Page, admin: Admin): Promise<void> {
    await page.goto(`${consoleUrl}/login`);
    await page.getByLabel('Tenant id').fill(admin.tenantId);
    await page.getByLabel('User name').fill(admin.username);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 15_000 });
  }

  async function testAndActivate(page: Page): Promise<void> {
    await page.getByTestId('test-button').click();
    await page.locator('[data-testid="test-panel"][data-phase="done"]').waitFor({ timeout: 60_000 });
    const failed = await page.locator('li[data-status="failed"]').allTextContents();
    expect(failed, 'the connection test must pass').toEqual([]);
    await expect(page.locator('li[data-status="passed"]').count()).resolves.toBe(6);
    await page.getByTestId('save-button').click();
    await page.locator('[data-testid="l1-status"][data-status="active"]').waitFor({ timeout: 60_000 });
  }

  it('Platform Mesh enables OpenKCM by webhook; the administrator signs in and sees Ready', async () => {
    await mesh.tenantCreated(tenantA.tenantId, tenantA.displayName);
    Object.assign(tenantA, await mesh.initialCredentials(tenantA.tenantId));
    const page = await browser.newPage();
    await signIn(page, tenantA);
    await page.locator('[data-testid="tenant-status"][data-status="ready"]').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('tenant-status').textContent()).resolves.toMatch(/provisioning took/);
    await expect(page.getByTestId('header-tenant').textContent()).resolves.toBe(tenantA.tenantId);
    await page.getByTestId('notification-button').click();
    await page.locator('#notification-panel [data-testid="notification"]').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    await screenshot(page, 'real-overview');
    await page.close();
  }, 180_000);

  it('BYOK on local-kms: configure, test, activate, see Active', async () => {
    const { localKms } = stack();
    const page = await browser.newPage();
    await signIn(page, tenantA);
    await page.getByRole('link', { name: 'Master key' }).click();
    await page.getByLabel('Name', { exact: true }).fill('local-kms demo key');
    await page.getByLabel('Key ARN').fill(localKms.demoKeyArn);
    await expect(page.getByLabel('Region').inputValue()).resolves.toBe(localKms.region);
    await page.getByLabel('Access key id').fill(ACCESS_KEY_ID);
    await page.getByLabel('Secret access key').fill(SECRET_ACCESS_KEY);
    await page.getByText('Advanced: KMS endpoint').click();
    await page.getByLabel('KMS endpoint URL').fill(localKms.endpoint);
    await testAndActivate(page);
    await screenshot(page, 'real-master-key-byok-active');
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.locator('[data-testid="l1-status"][data-status="active"]').waitFor();
    await page.close();
  }, 180_000);

  it('a failing test shows the failing step with its reason and blocks saving', async () => {
    const { localKms } = stack();
    const missingKey = localKms.demoKeyArn.replace(/key\/[0-9a-f-]+$/, 'key/00000000-0000-4000-8000-000000000000');
    const page = await browser.newPage();
    await signIn(page, tenantA);
    await page.goto(`${consoleUrl}/master-key`);
    await page.getByLabel('Name', { exact: true }).fill('missing key');
    await page.getByLabel('Key ARN').fill(missingKey);
    await page.getByLabel('Access key id').fill(ACCESS_KEY_ID);
    await page.getByLabel('Secret access key').fill(SECRET_ACCESS_KEY);
    await page.getByText('Advanced: KMS endpoint').click();
    await page.getByLabel('KMS endpoint URL').fill(localKms.endpoint);
    await page.getByTestId('test-button').click();
    await page.locator('[data-testid="test-panel"][data-phase="done"]').waitFor({ timeout: 60_000 });
    const failedStep = page.locator('li[data-status="failed"]');
    await expect(failedStep.count()).resolves.toBe(1);
    await expect(failedStep.getAttribute('data-step')).resolves.toBe('key-exists');
    expect((await failedStep.textContent())?.length ?? 0).toBeGreaterThan('Key exists Failed'.length);
    await expect(page.getByTestId('save-button').isDisabled()).resolves.toBe(true);
    // The key that was active stays active.
    await page.locator('[data-testid="l1-status"][data-status="active"]').waitFor();
    await screenshot(page, 'real-master-key-test-failed');
    await page.close();
  }, 180_000);

  it('HYOK on SoftHSM: configure, test, activate, see Active', async () => {
    const { softhsm } = stack();
    const keyLabel = `e2e-l1-${run}`;
    createSoftHsmL1Key(softhsm, keyLabel);
    const page = await browser.newPage();
    await signIn(page, tenantB);
    await page.goto(`${consoleUrl}/master-key`);
    await page.getByLabel('HSM over PKCS#11').check();
    await page.getByLabel('Name', { exact: true }).fill('SoftHSM key');
    await page.getByLabel('PKCS#11 module path').fill(softhsm.module);
    await page.getByLabel('Token label', { exact: true }).fill(softhsm.tokenLabel);
    await page.getByLabel('Key label').fill(keyLabel);
    await page.getByLabel('User PIN').fill(softhsm.pin);
    await testAndActivate(page);
    await screenshot(page, 'real-master-key-hyok-active');
    await page.close();
  }, 180_000);

  it('revoke, behind the typed tenant id, shows Revoked', async () => {
    const page = await browser.newPage();
    await signIn(page, tenantB);
    await page.goto(`${consoleUrl}/master-key`);
    await page.locator('[data-testid="l1-status"][data-status="active"]').waitFor();
    await page.getByRole('button', { name: 'Revoke (kill switch)…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke access to your keys?' });
    await dialog.getByLabel('Reason').fill('end-to-end test of the kill switch');
    await dialog.getByLabel(/Type the tenant id/).fill(tenantA.tenantId);
    await expect(dialog.getByRole('button', { name: 'Revoke now' }).isDisabled()).resolves.toBe(true);
    await dialog.getByLabel(/Type the tenant id/).fill(tenantB.tenantId);
    await dialog.getByRole('button', { name: 'Revoke now' }).click();
    await page.locator('[data-testid="l1-status"][data-status="revoked"]').waitFor({ timeout: 30_000 });
    await screenshot(page, 'real-master-key-revoked');
    await page.close();
  }, 120_000);

  it('hands over the provisioned bundle, registers a service and issues it a certificate', async () => {
    const page = await browser.newPage();
    await signIn(page, tenantA);
    await page.goto(`${consoleUrl}/services`);
    await page.getByTestId('service-row').first().waitFor();
    const pending = page.getByText('certificate to collect');
    if (await pending.count()) {
      await page.getByTestId('service-row').filter({ has: pending }).getByRole('link').click();
      await page.getByRole('button', { name: 'Collect certificate and key' }).click();
      await page.getByTestId('issued-bundle').waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: /^Download \S+\.pem$/ }).first().waitFor();
      await page.getByRole('button', { name: 'I have saved them' }).click();
      await page.goto(`${consoleUrl}/services`);
    }
    await page.getByLabel('Service id').fill('orders');
    await page.getByLabel('Description').fill('Orders database');
    await page.getByRole('button', { name: 'Register service' }).click();
    await page.getByRole('heading', { level: 1, name: 'orders' }).waitFor({ timeout: 30_000 });
    await page.getByLabel('Generate a key pair for me').check();
    await page.getByRole('button', { name: 'Issue certificate' }).click();
    await page.getByTestId('issued-bundle').waitFor({ timeout: 30_000 });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download orders.key.pem' }).click();
    expect((await download).suggestedFilename()).toBe('orders.key.pem');
    await page.getByRole('tab', { name: 'mongod at rest' }).click();
    await page.getByRole('tabpanel').getByText(/kmip/i).first().waitFor();
    await page.locator('[data-testid="certificate-row"][data-status="active"]').first().waitFor();
    await screenshot(page, 'real-service-detail');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.locator('[data-testid="certificate-row"][data-status="active"]').first().getByRole('button', { name: /^Revoke/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this certificate?' });
    await dialog.getByLabel('Reason').selectOption('superseded');
    await dialog.getByRole('button', { name: 'Revoke certificate' }).click();
    await page.locator('[data-testid="certificate-row"][data-status="revoked"]').first().waitFor({ timeout: 30_000 });
    await page.close();
  }, 180_000);

  it('keeps tenants apart: the administrator of A never sees B', async () => {
    const page = await browser.newPage();
    // A's credentials do not open B.
    await page.goto(`${consoleUrl}/login`);
    await page.getByLabel('Tenant id').fill(tenantB.tenantId);
    await page.getByLabel('User name').fill(tenantA.username);
    await page.getByLabel('Password').fill(tenantA.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('login-error').waitFor();

    await signIn(page, tenantA);
    await expect(page.getByTestId('header-tenant').textContent()).resolves.toBe(tenantA.tenantId);
    const pages: [string, string][] = [
      ['/', 'real-isolation-overview'],
      ['/master-key', 'real-isolation-master-key'],
      ['/services', 'real-services'],
      ['/audit', 'real-audit'],
      ['/usage', 'real-usage'],
    ];
    for (const [path, name] of pages) {
      await page.goto(`${consoleUrl}${path}`);
      await page.locator('#page-heading').waitFor();
      await page.waitForLoadState('networkidle');
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text, `${path} shows tenant B`).not.toContain(tenantB.tenantId);
      expect(text, `${path} shows tenant B`).not.toContain(tenantB.displayName);
      expect(text, `${path} shows tenant B's key`).not.toContain('SoftHSM key');
      await screenshot(page, name);
    }
    // The audit chain verifies, and A's export holds none of B's events.
    await page.goto(`${consoleUrl}/audit`);
    await page.locator('[data-testid="chain-status"][data-ok="true"]').waitFor({ timeout: 30_000 });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const exported = await download;
    const csv = await new Promise<string>((resolve, reject) => {
      void exported.createReadStream().then((stream) => {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        stream.on('end', () => resolve(data));
        stream.on('error', reject);
      }, reject);
    });
    expect(csv).toContain('l1.activate');
    expect(csv).not.toContain(tenantB.tenantId);
    // A's overview still says Active: B's kill switch did not touch A.
    await page.goto(`${consoleUrl}/`);
    await page.locator('[data-testid="l1-status"][data-status="active"]').waitFor();
    // And A's token cannot read B's data through the API either.
    const token = await page.evaluate<string | undefined>(`JSON.parse(sessionStorage.getItem('openkcm.session') ?? '{}').token`);
    const res = await fetch(`${consoleUrl}/api/tenant`, { headers: { Authorization: `Bearer ${token ?? ''}` } });
    expect(((await res.json()) as { id: string }).id).toBe(tenantA.tenantId);
    await page.close();
  }, 180_000);
});
