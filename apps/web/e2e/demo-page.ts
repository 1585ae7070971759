import type { Page } from 'playwright-core';

const TIMEOUT = 15_000;

/**
 * Opens the demo and signs in with one click as a demo user; resolves once the client is synced (live and caught up).
 * Tabs in the background get one animation frame a second, so the page is brought to the front first.
 */
export async function signIn(page: Page, baseUrl: string, name: 'Ada' | 'Grace' | 'Linus'): Promise<void> {
  await page.bringToFront();
  await page.goto(baseUrl);
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await waitSynced(page);
}

/** The connection pill shows the SDK's state; `synced` is connected with nothing known missing. */
export const waitSynced = (page: Page) =>
  page.locator('[data-status="synced"]').waitFor({ state: 'visible', timeout: TIMEOUT });

/** The unread count as the bell tells it (0 when it shows no badge). */
export async function unreadBadge(page: Page): Promise<number> {
  const label = await page.getByRole('button', { name: /^Notifications,/ }).getAttribute('aria-label');
  const match = /(\d+) unread/.exec(label ?? '');
  return match ? Number(match[1]) : 0;
}

/** Titles in the feed, newest first. */
export async function feedTitles(page: Page): Promise<string[]> {
  const titles = await page.locator('[data-testid="notification"] .notification__title').allTextContents();
  return titles.map((t) => t.replace(/^Unread: /, ''));
}

const digits = (text: string | null) => Number((text ?? '').replace(/\D/g, ''));

export async function xpTotal(page: Page): Promise<number> {
  return digits(await page.getByTestId('xp-total').textContent({ timeout: TIMEOUT }));
}

/** A leaderboard on the page: the global `leaderboard` or the class's `class-leaderboard`. */
export type Board = 'leaderboard' | 'class-leaderboard';

/** The XP `board` shows for `userId`, or null when the user is not on it. */
export async function leaderboardXp(page: Page, userId: string, board: Board = 'leaderboard'): Promise<number | null> {
  const cell = page.locator(`[data-testid="${board}"] [data-user-id="${userId}"] [data-testid="leaderboard-xp"]`);
  return (await cell.count()) === 0 ? null : digits(await cell.textContent());
}

/** The users on `board`, best first. */
export const boardUsers = (page: Page, board: Board) =>
  page
    .locator(`[data-testid="${board}"] [data-user-id]`)
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-user-id')));

/** A switch of the settings panel, e.g. `Class announcements` / `In-app`. */
export const preferenceSwitch = (
  page: Page,
  typeLabel: string,
  channel: 'In-app' | 'Offline (all)' | 'Push' | 'Email',
) => page.getByRole('switch', { name: `${typeLabel}: ${channel}`, exact: true });

/** The settings' "Enable notifications on this device" row, its `data-status` the state it shows. */
export const pushControl = (page: Page) => page.getByTestId('push-control');

/** Where Web Push stands on the page: `checking`, `unsupported`, `blocked`, `off`, `on`, `working` or `error`. */
export const pushStatus = (page: Page) => pushControl(page).getAttribute('data-status');

/** The settings' quiet hours: `data-status` is `off`, `on` or `quiet` (inside them now). */
export const quietHours = (page: Page) => page.getByTestId('quiet-hours');

/**
 * The quiet hours' switch (saves at once), the label a user clicks (its checkbox is only drawn), and the fields it
 * shows while on (saved with "Save").
 */
export const quietHoursForm = (page: Page) => {
  const box = quietHours(page);
  // From the page: `filter({ has })` looks for it inside each label.
  const toggle = page.getByRole('switch', { name: 'Quiet hours', exact: true });
  return {
    toggle,
    toggleLabel: box.locator('label').filter({ has: toggle }),
    start: box.getByLabel('From', { exact: true }),
    end: box.getByLabel('To', { exact: true }),
    timeZone: box.getByLabel('Time zone', { exact: true }),
    save: box.getByRole('button', { name: 'Save' }),
  };
};

/** The development mailbox panel, its "Mailbox of" selector, and the subjects it lists, newest first. */
export const mailboxPanel = (page: Page) => page.locator('.mailbox');
export const mailboxOwner = (page: Page) => page.getByLabel('Mailbox of', { exact: true });
export const mailSubjects = (page: Page) => page.getByTestId('mail-subject').allTextContents();

/** The event lines of this tab's socket log, newest first. */
export const eventLog = (page: Page) => page.locator('[data-testid="event-log"] li').allTextContents();

export const toastTexts = (page: Page) => page.locator('.toast').allTextContents();
