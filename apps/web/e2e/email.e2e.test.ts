import { mkdir } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mailboxOwner,
  mailboxPanel,
  mailSubjects,
  quietHours,
  quietHoursForm,
  signIn,
  toastTexts,
  waitSynced,
} from './demo-page.js';
import { browserSuiteMissing, CHROMIUM, type GatewayServer, RESULTS, startGateway } from './gateway-server.js';
import { ServiceClient } from './service-client.js';

const POLL = { timeout: 10_000, interval: 100 };
// An email is due 1 s after its notification and its digest closes 2 s later; the page polls every 2 s.
const MAIL_POLL = { timeout: 20_000, interval: 200 };

const missing = browserSuiteMissing();

const isMailbox = (url: URL) => url.pathname === '/api/dev/mailbox';

describe.skipIf(missing !== null)('email on the demo page: the development mailbox and quiet hours', () => {
  let server: GatewayServer;
  let browser: Browser;
  let service: ServiceClient;
  let adaContext: BrowserContext;
  let ada: Page;
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];

  const open = async (context: BrowserContext) => {
    const page = await context.newPage();
    // A step that cannot happen fails with its own message, before the test's timeout.
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // A srcdoc frame lives under the page's policy: an email's inline style would be reported here.
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    return page;
  };

  beforeAll(async () => {
    await mkdir(RESULTS, { recursive: true });
    // No SMTP_URL: what the gateway sends lands in its development mailbox, at the pace of a test.
    server = await startGateway({ EMAIL_DELAY_SECONDS: '1', EMAIL_DIGEST_WINDOW_SECONDS: '2' });
    service = new ServiceClient(server.url);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    adaContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    ada = await open(adaContext);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows the signed-in user's own mailbox first, with a hint of how email works", async () => {
    await signIn(ada, server.url, 'Ada');
    const owner = mailboxOwner(ada);
    await owner.scrollIntoViewIfNeeded();
    expect(await owner.inputValue()).toBe('ada');
    expect(await owner.locator('option').allTextContents()).toEqual(['Ada (you)', 'Grace', 'Linus']);
    await expect.poll(() => mailboxPanel(ada).textContent(), POLL).toContain('No email for Ada yet');
    expect(await mailboxPanel(ada).textContent()).toContain(
      'Emails are sent 30 s after an unread notification, and batched',
    );
  });

  it("shows Grace's two unread notifications as one digest in Ada's page", async () => {
    // Grace signs in once, so the gateway learns her address from her token, and leaves.
    const graceContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const grace = await open(graceContext);
    await signIn(grace, server.url, 'Grace');
    await expect.poll(() => service.emailAddress('grace'), POLL).toBe('grace@demo.local');
    await graceContext.close();

    await ada.bringToFront();
    await mailboxOwner(ada).selectOption('grace');
    await expect.poll(() => mailboxPanel(ada).textContent(), POLL).toContain('No email for Grace yet');
    expect(await service.notify('grace', 'Build #482 passed', { message: 'main is green again.' })).toBe(1);
    expect(await service.notify('grace', 'New comment on your pull request', { message: '“One nit.”' })).toBe(1);

    await expect.poll(() => mailSubjects(ada), MAIL_POLL).toEqual(['2 new notifications']);
    const mail = ada.getByTestId('mail');
    expect(await mail.getByTestId('mail-count').textContent()).toBe('2 notifications');
    expect(await mail.textContent()).toContain('to grace@demo.local');
    expect(await mail.locator('time').textContent()).toBe('just now');

    // Its HTML body in a frame that runs nothing and reaches nothing of the page, and its text body.
    const summary = mail.getByRole('button', { name: /2 new notifications/ });
    await summary.click();
    expect(await summary.getAttribute('aria-expanded')).toBe('true');
    const frame = ada.locator('iframe.mail__html');
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await frame.getAttribute('srcdoc')).toContain('Build #482 passed');
    const body = ada.frameLocator('iframe.mail__html');
    await expect.poll(() => body.locator('h1').textContent(), POLL).toBe('You have 2 new notifications');
    expect(await body.getByText('New comment on your pull request').count()).toBe(1);
    // Styled by the stylesheet of the page's origin, the email's inline styles dropped.
    await expect.poll(() => body.locator('h1').evaluate((h1) => getComputedStyle(h1).fontSize), POLL).toBe('18px');
    expect(await body.locator('[style]').count()).toBe(0);
    const text = await ada.getByTestId('mail-text').textContent();
    expect(text).toContain('You have 2 new notifications.');
    expect(text).toContain('main is green again.');

    // One digest, not an email each: still one message a digest window later.
    await ada.waitForTimeout(3_000);
    expect(await mailSubjects(ada)).toEqual(['2 new notifications']);

    // The panel from its top, the digest open, no toast over it.
    await expect.poll(() => toastTexts(ada), { timeout: 10_000 }).toEqual([]);
    await mailboxPanel(ada).evaluate((panel) => panel.scrollIntoView({ block: 'start' }));
    await ada.waitForTimeout(400);
    await ada.screenshot({ path: `${RESULTS}mailbox.png` });
    await ada.screenshot({ path: `${RESULTS}mailbox-full.png`, fullPage: true });
  });

  it('saves quiet hours from the settings, live in the other tab and across a reload', async () => {
    const ada2 = await open(adaContext);
    await signIn(ada2, server.url, 'Ada');
    await ada.bringToFront();
    const form = quietHoursForm(ada);
    await quietHours(ada).scrollIntoViewIfNeeded();
    expect(await form.toggle.isChecked()).toBe(false);
    expect(await quietHours(ada).getAttribute('data-status')).toBe('off');
    expect(await form.start.count()).toBe(0);

    // On: the night, in this browser's time zone, saved at once.
    const zone = await ada.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const turnedOn = ada.waitForRequest((r) => r.url().endsWith('/api/preferences') && r.method() === 'PUT');
    await form.toggleLabel.click();
    expect((await turnedOn).postDataJSON()).toEqual({ quietHours: { start: '22:00', end: '07:00', timeZone: zone } });
    await expect.poll(() => form.start.inputValue(), POLL).toBe('22:00');
    expect(await form.end.inputValue()).toBe('07:00');
    expect(await form.timeZone.inputValue()).toBe(zone);
    expect(await form.save.isDisabled()).toBe(true);

    // Other hours and zone, saved together.
    await form.start.fill('21:30');
    await form.end.fill('21:30');
    expect(await quietHours(ada).getByRole('alert').textContent()).toBe('Start and end must differ.');
    expect(await form.save.isDisabled()).toBe(true);
    await form.end.fill('06:45');
    await form.timeZone.selectOption('Asia/Tokyo');
    const saved = ada.waitForResponse((r) => r.url().endsWith('/api/preferences') && r.request().method() === 'PUT');
    await form.save.click();
    const answer = await saved;
    expect(answer.request().postDataJSON()).toEqual({
      quietHours: { start: '21:30', end: '06:45', timeZone: 'Asia/Tokyo' },
    });
    expect(answer.status()).toBe(200);
    await expect.poll(() => form.save.isDisabled(), POLL).toBe(true);
    expect(await quietHours(ada).textContent()).toContain('21:30 to 06:45 (overnight), Asia/Tokyo time');

    // The other tab heard it (preferences:updated).
    const other = quietHoursForm(ada2);
    await expect.poll(() => other.start.inputValue(), POLL).toBe('21:30');
    expect(await other.end.inputValue()).toBe('06:45');
    expect(await other.timeZone.inputValue()).toBe('Asia/Tokyo');

    await quietHours(ada).screenshot({ path: `${RESULTS}quiet-hours.png` });
    await ada.reload();
    await waitSynced(ada);
    await expect.poll(() => form.toggle.isChecked(), POLL).toBe(true);
    expect(await form.start.inputValue()).toBe('21:30');
    expect(await form.end.inputValue()).toBe('06:45');
    expect(await form.timeZone.inputValue()).toBe('Asia/Tokyo');
    expect(await quietHours(ada).getAttribute('data-status')).toMatch(/^(on|quiet)$/);

    // Off from the other tab: none here, live and after a reload; on again brings back the night.
    await ada2.bringToFront();
    await other.toggleLabel.click();
    await ada.bringToFront();
    await expect.poll(() => form.toggle.isChecked(), POLL).toBe(false);
    expect(await form.start.count()).toBe(0);
    await ada.reload();
    await waitSynced(ada);
    await expect.poll(() => quietHours(ada).getAttribute('data-status'), POLL).toBe('off');
    expect(await form.toggle.isChecked()).toBe(false);
    await ada2.close();
  });

  it('shows a failure to read the mailbox with a way to try again, and no panel without a mailbox', async () => {
    const page = await open(adaContext);
    await page.route(isMailbox, (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ statusCode: 503, code: 'UNAVAILABLE', message: 'The store did not answer in time.' }),
      }),
    );
    await signIn(page, server.url, 'Ada');
    const alert = mailboxPanel(page).getByRole('alert');
    await expect.poll(() => alert.textContent(), POLL).toContain('The store did not answer in time.');
    await page.unroute(isMailbox);
    await mailboxPanel(page).getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => alert.count(), POLL).toBe(0);
    expect(await mailboxPanel(page).textContent()).toContain('No email for Ada yet');

    // A gateway that is not a development server (no DEV_TOKENS) answers 404: nothing to show.
    let asked = 0;
    await page.route(isMailbox, (route) => {
      asked += 1;
      return route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ statusCode: 404, code: 'NOT_FOUND', message: 'Cannot GET /api/dev/mailbox' }),
      });
    });
    await page.reload();
    await waitSynced(page);
    await expect.poll(() => asked, POLL).toBeGreaterThan(0);
    await expect.poll(() => mailboxPanel(page).count(), POLL).toBe(0);
    // ...and it stops asking.
    const after = asked;
    await page.waitForTimeout(4_500);
    expect(asked).toBe(after);
    expect(await quietHours(page).count()).toBe(1);
    await page.close();
  });

  it('fits a 375px phone screen with a digest open and quiet hours on', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2 });
    const page = await open(phone);
    await signIn(page, server.url, 'Ada');
    await mailboxOwner(page).selectOption('grace');
    await expect.poll(() => mailSubjects(page), POLL).toEqual(['2 new notifications']);
    await page.getByTestId('mail').getByRole('button').click();
    const form = quietHoursForm(page);
    await form.toggleLabel.click();
    await expect.poll(() => form.timeZone.count(), POLL).toBe(1);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await quietHours(page).screenshot({ path: `${RESULTS}phone-quiet-hours.png` });
    await mailboxPanel(page).screenshot({ path: `${RESULTS}phone-mailbox.png` });
    await phone.close();
  });

  it('threw no error in any page, and the CSP blocked nothing', () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
