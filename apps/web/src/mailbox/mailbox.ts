import type { MailboxMessage } from '@realtime/contracts';
import { DEMO_USERS } from '../demo/demo-users.js';

/** How often the panel asks for the mailbox while the page is seen. */
export const MAILBOX_POLL_MS = 2_000;

/** "1 notification", "3 notifications". */
export const notificationsLabel = (count: number): string =>
  count === 1 ? '1 notification' : `${count} notifications`;

export interface MailboxOwner {
  userId: string;
  name: string;
  /** The signed-in user. */
  you: boolean;
}

/**
 * Whose mailbox can be shown: the demo users, and first the signed-in user when they signed in with a name of their
 * own.
 */
export function mailboxOwners(me: { userId: string; displayName: string }): MailboxOwner[] {
  const demo = DEMO_USERS.map(({ userId, name }) => ({ userId, name }));
  const people = demo.some((u) => u.userId === me.userId)
    ? demo
    : [{ userId: me.userId, name: me.displayName }, ...demo];
  return people.map((p) => ({ ...p, you: p.userId === me.userId }));
}

/**
 * The list to keep after a poll: the one already shown when nothing changed (a message never changes once sent,
 * so the same ids in the same order are the same list), so a poll that brings nothing new renders nothing new.
 */
export function keepUnchanged(shown: MailboxMessage[] | null, fetched: MailboxMessage[]): MailboxMessage[] {
  if (shown && shown.length === fetched.length && shown.every((m, i) => m.id === fetched[i]!.id)) return shown;
  return fetched;
}

/** `url` when it is an http: or https: URL (a link the page may offer), else null. */
export function httpUrl(url: string): string | null {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}
