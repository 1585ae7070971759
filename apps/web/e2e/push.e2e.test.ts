import { mkdir } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preferenceSwitch, pushControl, pushStatus, signIn } from './demo-page.js';
import { browserSuiteMissing, CHROMIUM, type GatewayServer, RESULTS, startGateway } from './gateway-server.js';

const POLL = { timeout: 15_000, interval: 100 };

const missing = browserSuiteMissing();

// Headless Chromium has service workers and the Push API, but no push service to subscribe at: what a user
// whose browser cannot subscribe sees is what these tests can check, with the gateway's side real.
describe.skipIf(missing !== null)('Web Push on the demo page', () => {
  let server: GatewayServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  /** Ada signed in, in a fresh context (its own permissions), the settings panel on screen. */
  const adaIn = async (setUp?: (context: BrowserContext, page: Page) => Promise<void>) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await setUp?.(context, page);
    await signIn(page, server.url, 'Ada');
    await pushControl(page).scrollIntoViewIfNeeded();
    return page;
  };

  /** The device switch: its checkbox, and the label a user clicks (the checkbox itself is only drawn). */
  const deviceSwitch = (page: Page) => {
    const input = page.getByRole('switch', { name: 'Enable notifications on this device' });
    return { input, label: pushControl(page).locator('label').filter({ has: input }) };
  };

  beforeAll(async () => {
    await mkdir(RESULTS, { recursive: true });
    server = await startGateway();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  it('registers the service worker at scope / with an active worker', async () => {
    const page = await adaIn();
    const worker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return { scope: registration.scope, script: registration.active?.scriptURL, state: registration.active?.state };
    });
    expect(worker).toEqual({ scope: `${server.url}/`, script: `${server.url}/sw.js`, state: 'activated' });
    // Served like index.html: revalidated, so a new worker is picked up at once.
    const sw = await fetch(`${server.url}/sw.js`);
    expect(sw.headers.get('content-type')).toMatch(/javascript/);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
  });

  it('is off once allowed, and ends in an error it explains when the browser cannot subscribe', async () => {
    const page = await adaIn((context) => context.grantPermissions(['notifications'], { origin: server.url }));
    const { input, label } = deviceSwitch(page);
    await expect.poll(() => pushStatus(page), POLL).toBe('off');
    expect(await input.isChecked()).toBe(false);
    const keyAsked = page.waitForResponse((res) => res.url().endsWith('/api/push/vapid-public-key'));

    await label.click();
    // The gateway answered its key; the browser then had no push service to subscribe at.
    expect((await keyAsked).status()).toBe(200);
    await expect.poll(() => pushStatus(page), POLL).toBe('error');
    const text = await pushControl(page).textContent();
    expect(text).toContain('This browser could not subscribe at its push service');
    expect(await input.isChecked()).toBe(false);
    // Nothing half-done: the switch can be tried again.
    expect(await input.isEnabled()).toBe(true);
    await page.locator('.preferences').screenshot({ path: `${RESULTS}push-control.png` });
  });

  it('shows blocked, with the switch disabled, when notifications are denied for the site', async () => {
    const page = await adaIn(async (context, page) => {
      // Playwright grants permissions but cannot deny one: Chromium's DevTools protocol can, per context, for as
      // long as the session that asked stays attached (so it is left open).
      const { targetInfo } = await (await context.newCDPSession(page)).send('Target.getTargetInfo');
      const cdp = await browser.newBrowserCDPSession();
      const { browserContextId } = targetInfo;
      await cdp.send('Browser.setPermission', {
        permission: { name: 'notifications' },
        setting: 'denied',
        origin: server.url,
        browserContextId,
      });
    });
    expect(await page.evaluate(() => Notification.permission)).toBe('denied');
    await expect.poll(() => pushStatus(page), POLL).toBe('blocked');
    expect(await pushControl(page).textContent()).toContain('Blocked by the browser');
    expect(await deviceSwitch(page).input.isDisabled()).toBe(true);
    await page.locator('.preferences').screenshot({ path: `${RESULTS}push-control-blocked.png` });
  });

  it('asks when the browser has not asked yet, and shows blocked when it says no', async () => {
    const page = await adaIn();
    expect(await page.evaluate(() => Notification.permission)).toBe('default');
    await expect.poll(() => pushStatus(page), POLL).toBe('off');
    // Headless Chromium answers the prompt itself, with a refusal.
    await deviceSwitch(page).label.click();
    await expect.poll(() => pushStatus(page), POLL).toBe('blocked');
    await page.reload();
    await expect.poll(() => pushStatus(page), POLL).toBe('blocked');
  });

  it('keeps push and email as set while Offline (all) turns them off, saved by the gateway', async () => {
    const page = await adaIn();
    const offline = preferenceSwitch(page, 'Updates', 'Offline (all)');
    const email = preferenceSwitch(page, 'Updates', 'Email');
    const dimmed = (channel: 'Push' | 'Email') =>
      page
        .locator('label.switch--overridden')
        .filter({ has: preferenceSwitch(page, 'Updates', channel) })
        .count();
    await page.locator('label').filter({ has: email }).click();
    await expect.poll(() => email.isChecked(), POLL).toBe(false);
    await page.locator('label').filter({ has: offline }).click();
    await expect.poll(() => offline.isChecked(), POLL).toBe(false);
    expect([await dimmed('Push'), await dimmed('Email')]).toEqual([1, 0]);

    await page.reload();
    await expect.poll(() => offline.isChecked(), POLL).toBe(false);
    expect(await preferenceSwitch(page, 'Updates', 'Push').isChecked()).toBe(true);
    expect(await email.isChecked()).toBe(false);
    expect(await preferenceSwitch(page, 'Updates', 'In-app').isChecked()).toBe(true);
  });

  it('threw no error in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
