import { mkdir } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  boardUsers,
  eventLog,
  feedTitles,
  leaderboardXp,
  preferenceSwitch,
  signIn,
  toastTexts,
  unreadBadge,
  waitSynced,
  xpTotal,
} from './demo-page.js';
import { browserSuiteMissing, CHROMIUM, type GatewayServer, RESULTS, startGateway } from './gateway-server.js';
import { ServiceClient } from './service-client.js';

const POLL = { timeout: 10_000, interval: 100 };

const missing = browserSuiteMissing();

describe.skipIf(missing !== null)('the demo page against the real gateway', () => {
  let server: GatewayServer;
  let browser: Browser;
  let service: ServiceClient;
  // Two tabs of Ada (each tab keeps its own session) and one of Grace.
  let adaContext: BrowserContext;
  let graceContext: BrowserContext;
  let ada1: Page;
  let ada2: Page;
  let grace: Page;
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];

  const open = async (context: BrowserContext) => {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // Chromium reports what the Content-Security-Policy blocks as console errors.
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    return page;
  };

  beforeAll(async () => {
    await mkdir(RESULTS, { recursive: true });
    server = await startGateway();
    service = new ServiceClient(server.url);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    adaContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    graceContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    [ada1, ada2, grace] = await Promise.all([open(adaContext), open(adaContext), open(graceContext)]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves the page with a same-origin CSP and cache headers', async () => {
    const page = await ada1.goto(server.url);
    const headers = page!.headers();
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBeTruthy();
    expect(headers['cache-control']).toBe('no-cache');
    const script = await ada1.locator('script[src^="/assets/"]').getAttribute('src');
    const asset = await fetch(`${server.url}${script}`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('signs in with one click and shows a live, synced connection in the header', async () => {
    await ada1.goto(server.url);
    await ada1.screenshot({ path: `${RESULTS}sign-in.png` });
    await signIn(ada1, server.url, 'Ada');
    await signIn(ada2, server.url, 'Ada');
    await signIn(grace, server.url, 'Grace');
    for (const [page, name] of [
      [ada1, 'Ada'],
      [ada2, 'Ada'],
      [grace, 'Grace'],
    ] as const) {
      await expect.poll(() => page.getByTestId('signed-in-user').textContent(), POLL).toBe(name);
      const pill = page.getByRole('status').filter({ hasText: 'Connection:' });
      await expect.poll(() => pill.locator('[data-status]').getAttribute('data-status'), POLL).toBe('synced');
      expect(await pill.textContent()).toContain('Live');
      await expect.poll(() => eventLog(page), POLL).toContainEqual(expect.stringContaining('authenticated'));
      await expect.poll(() => eventLog(page), POLL).toContainEqual(expect.stringContaining('notification:synced'));
    }
    // One socket per tab: Ada's two tabs are two connections, Grace's one.
    expect(await service.connections('ada')).toBe(2);
    expect(await service.connections('grace')).toBe(1);
  });

  it("delivers a notification to both of Ada's tabs and not to Grace's", async () => {
    await grace.bringToFront();
    await grace.getByRole('button', { name: 'Send to Ada' }).click();
    for (const page of [ada1, ada2]) {
      await expect.poll(() => feedTitles(page), POLL).toContain('Grace says hi 👋');
      await expect.poll(() => unreadBadge(page), POLL).toBe(1);
    }
    await expect.poll(() => toastTexts(ada2), POLL).toContainEqual(expect.stringContaining('Grace says hi'));

    // Grace's own notification arrives; Ada's never does.
    await grace.getByRole('button', { name: 'Send me a notification' }).click();
    await expect.poll(() => feedTitles(grace), POLL).toHaveLength(1);
    expect(await feedTitles(grace)).not.toContain('Grace says hi 👋');
    expect(await unreadBadge(grace)).toBe(1);
  });

  it("clears the badge in Ada's other tab when she marks it read in one", async () => {
    await ada1.bringToFront();
    await ada1
      .getByRole('button', { name: /^Mark read/ })
      .first()
      .click();
    await expect.poll(() => unreadBadge(ada2), POLL).toBe(0);
    await expect.poll(() => unreadBadge(ada1), POLL).toBe(0);
    await expect.poll(() => ada2.locator('.notification--unread').count(), POLL).toBe(0);
  });

  it("updates Ada's XP bar and everyone's leaderboard when she completes a mission", async () => {
    const before = await xpTotal(ada1);
    await ada1.getByRole('button', { name: /Complete a mission/ }).click();
    await expect.poll(() => xpTotal(ada1), POLL).toBe(before + 50);
    await expect.poll(() => xpTotal(ada2), POLL).toBe(before + 50);
    for (const page of [ada1, ada2, grace]) {
      await expect.poll(() => leaderboardXp(page, 'ada'), POLL).toBe(before + 50);
    }
    await expect
      .poll(() => ada1.locator('[data-testid="leaderboard"] .leaderboard__row--me').getAttribute('data-user-id'), POLL)
      .toBe('ada');
    await ada1.waitForTimeout(700);
    await ada1.screenshot({ path: `${RESULTS}desktop.png` });
    await ada1.screenshot({ path: `${RESULTS}desktop-full.png`, fullPage: true });
  });

  it('puts each demo user in Class A, whose board moves live for its members and apart from the global one', async () => {
    for (const page of [ada1, ada2, grace]) {
      await expect.poll(() => boardUsers(page, 'class-leaderboard'), POLL).toEqual(['ada', 'grace']);
    }
    // Someone outside the class: on the global board, never on the class's.
    await service.awardXp('outsider', 500, 'Outsider');
    for (const page of [ada1, grace]) await expect.poll(() => leaderboardXp(page, 'outsider'), POLL).toBe(500);

    // XP for a member moves both boards, each by its own event.
    await service.awardXp('grace', 120, 'Grace');
    for (const page of [ada1, ada2, grace]) {
      await expect.poll(() => leaderboardXp(page, 'grace', 'class-leaderboard'), POLL).toBe(120);
      await expect.poll(() => leaderboardXp(page, 'grace'), POLL).toBe(120);
    }

    // A new member moves the class board alone: a global board that took the class's event would lose the
    // outsider, and no global event would come to put them back.
    await service.addMembers('class-a', ['linus']);
    for (const page of [ada1, ada2, grace]) {
      await expect.poll(() => boardUsers(page, 'class-leaderboard'), POLL).toEqual(['grace', 'ada', 'linus']);
      expect(await boardUsers(page, 'leaderboard')).toEqual(['outsider', 'grace', 'ada']);
    }
    await expect
      .poll(() => eventLog(grace), POLL)
      .toContainEqual(expect.stringContaining('class-a · 3 entries · top Grace (120 XP)'));
  });

  it("delivers a class announcement to every member's bell and feed", async () => {
    const [ada, graceBefore] = [await unreadBadge(ada1), await unreadBadge(grace)];
    await grace.bringToFront();
    await grace.getByRole('button', { name: 'Announce to Class A' }).click();
    const announcement = expect.stringMatching(/^Class A: /);
    for (const [page, before] of [
      [ada1, ada],
      [ada2, ada],
      [grace, graceBefore],
    ] as const) {
      await expect.poll(() => feedTitles(page), POLL).toContainEqual(announcement);
      await expect.poll(() => unreadBadge(page), POLL).toBe(before + 1);
    }
    await expect.poll(() => toastTexts(ada2), POLL).toContainEqual(expect.stringContaining('(from Grace)'));
  });

  it("mutes a type in each of Ada's tabs; muted notifications stay out of her feed, critical ones do not", async () => {
    await ada1.bringToFront();
    const [inApp1, inApp2] = [ada1, ada2].map((page) => preferenceSwitch(page, 'Class announcements', 'In-app'));
    await expect.poll(() => inApp2!.isChecked(), POLL).toBe(true);
    const asked: string[] = [];
    const onRequest = (request: Request) => {
      if (new URL(request.url()).pathname === '/api/preferences') asked.push(request.method());
    };
    ada2.on('request', onRequest);
    // The visible switch is the label; its checkbox is only drawn.
    await ada1.locator('label').filter({ has: inApp1! }).click();
    await expect.poll(() => inApp1!.isChecked(), POLL).toBe(false);
    // The other tab made no request: it heard the change.
    await expect.poll(() => inApp2!.isChecked(), POLL).toBe(false);
    await expect.poll(() => eventLog(ada2), POLL).toContainEqual(expect.stringContaining('preferences:updated'));
    ada2.off('request', onRequest);
    expect(asked).toEqual([]);
    expect(await ada2.locator('[data-type="announcement"] .muted-tag').textContent()).toBe('muted');
    for (const channel of ['Offline (all)', 'Push', 'Email'] as const)
      expect(await preferenceSwitch(ada2, 'Class announcements', channel).isChecked()).toBe(true);
    expect(await preferenceSwitch(grace, 'Class announcements', 'In-app').isChecked()).toBe(true);

    // The critical one is published after the muted one, so once it shows, the muted one had its chance to.
    expect(await service.notify('ada', 'Muted announcement', { type: 'announcement' })).toBe(0);
    expect(await service.notify('ada', 'Critical announcement', { type: 'announcement', critical: true })).toBe(1);
    for (const page of [ada1, ada2]) {
      await expect.poll(() => feedTitles(page), POLL).toContain('Critical announcement');
      expect(await feedTitles(page)).not.toContain('Muted announcement');
    }
    // Both boards, a muted type and a class announcement in one picture (docs/demo.png is this one), no toast over them.
    await ada1.bringToFront();
    await expect.poll(() => toastTexts(ada1), { timeout: 10_000 }).toEqual([]);
    await ada1.waitForTimeout(700);
    await ada1.screenshot({ path: `${RESULTS}desktop-groups.png` });

    // Back on from the other tab, with the keyboard.
    await ada2.bringToFront();
    await inApp2!.focus();
    await ada2.keyboard.press('Space');
    await expect.poll(() => inApp1!.isChecked(), POLL).toBe(true);
    expect(await service.notify('ada', 'Announcement heard again', { type: 'announcement' })).toBe(1);
    await expect.poll(() => feedTitles(ada1), POLL).toContain('Announcement heard again');
  });

  it('keeps the badge, the feed and the XP across a reload', async () => {
    await ada2.bringToFront();
    const unread = await unreadBadge(ada2);
    await service.notify('ada', 'Deploy finished');
    await expect.poll(() => unreadBadge(ada2), POLL).toBe(unread + 1);
    const feed = await feedTitles(ada2);
    const xp = await xpTotal(ada2);

    await ada2.reload();
    await waitSynced(ada2);
    await expect.poll(() => ada2.getByTestId('signed-in-user').textContent(), POLL).toBe('Ada');
    await expect.poll(() => unreadBadge(ada2), POLL).toBe(unread + 1);
    await expect.poll(() => feedTitles(ada2), POLL).toEqual(feed);
    await expect.poll(() => xpTotal(ada2), POLL).toBe(xp);
  });

  it('replays over the socket what a tab missed while it was away', async () => {
    const unread = await unreadBadge(ada2);
    await ada2.goto('about:blank');
    await service.notify('ada', 'Missed while away');
    await ada2.goto(server.url);
    await waitSynced(ada2);
    await expect.poll(() => eventLog(ada2), POLL).toContainEqual(expect.stringContaining('“Missed while away”'));
    await expect
      .poll(() => toastTexts(ada2), POLL)
      .toContainEqual(expect.stringContaining('1 notification arrived while you were away'));
    expect((await feedTitles(ada2)).filter((t) => t === 'Missed while away')).toHaveLength(1);
    await expect.poll(() => unreadBadge(ada2), POLL).toBe(unread + 1);
  });

  it('fits a 375px phone screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2 });
    const page = await open(phone);
    await signIn(page, server.url, 'Ada');
    await expect.poll(() => feedTitles(page), POLL).toContain('Missed while away');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${RESULTS}phone.png` });
    await page.screenshot({ path: `${RESULTS}phone-full.png`, fullPage: true });
    await phone.close();
  });

  it('threw no error in any page, and the CSP blocked nothing', () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
