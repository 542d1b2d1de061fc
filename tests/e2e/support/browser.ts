import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Flags headless Chromium needs as root on a machine without GPU or outbound network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const CHROMIUM_PATH = process.env.OPENKCM_CHROMIUM ?? '/usr/bin/chromium';

export interface ConsoleBrowser {
  context: BrowserContext;
  /** Requests the page tried to send anywhere but the console's origin (they are aborted). */
  external: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Debian Chromium with a fresh profile directory. Every request that leaves `origin` is
 * refused and recorded, so a test can assert the console fetches nothing external.
 */
export async function openBrowser(origin: string, options: { executablePath?: string } = {}): Promise<ConsoleBrowser> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'openkcm-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: options.executablePath ?? CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const external: string[] = [];
  await context.route(
    (url) => url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:',
    async (route) => {
      external.push(route.request().url());
      await route.abort('blockedbyclient');
    },
  );
  return {
    context,
    external,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export const SCREENSHOT_DIR = path.resolve('test-results', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // A full-page capture of a scrolled page would paint the sticky header mid-page.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/**
 * True when the page is wider than its viewport (horizontal scrolling at 375 px is a defect).
 * Browser-side code is passed as text: the repository's TypeScript has no DOM types.
 */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth + 1');
}
