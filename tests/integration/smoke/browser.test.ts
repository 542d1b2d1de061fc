import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../../support/stack.js';

describe('the console in Debian Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    // playwright gives every launch a fresh temporary profile (--user-data-dir) of its own.
    browser = await chromium.launch({
      executablePath: stack().tools.chromium,
      // Flags headless Chromium needs as root on a machine without GPU or outbound network.
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
      headless: true,
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads the console from the API origin and reaches the API', async () => {
    const page = await browser.newPage();
    const response = await page.goto(stack().console.url);
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toContain('OpenKCM');
    await page.getByTestId('api-status').getByText('API: ok').waitFor({ timeout: 10_000 });
    await page.close();
  });
});
