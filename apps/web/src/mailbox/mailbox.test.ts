import type { MailboxMessage } from '@realtime/contracts';
import { describe, expect, it } from 'vitest';
import { httpUrl, keepUnchanged, mailboxOwners, notificationsLabel } from './mailbox.js';

const message = (id: string, notifications = 1): MailboxMessage => ({
  id,
  userId: 'grace',
  to: 'grace@demo.local',
  from: 'Realtime <notifications@localhost>',
  subject: notifications === 1 ? 'Build #482 passed' : `${notifications} new notifications`,
  text: 'text',
  html: '<p>html</p>',
  messageId: `<${id}@localhost>`,
  unsubscribeUrl: 'http://localhost:3000/api/email/unsubscribe?token=t',
  notifications,
  sentAt: '2026-01-10T12:00:00.000Z',
});

describe('notificationsLabel', () => {
  it('counts one and many', () => {
    expect(notificationsLabel(1)).toBe('1 notification');
    expect(notificationsLabel(3)).toBe('3 notifications');
  });
});

describe('mailboxOwners', () => {
  it('lists the demo users, the signed-in one marked as you', () => {
    expect(mailboxOwners({ userId: 'grace', displayName: 'Grace' })).toEqual([
      { userId: 'ada', name: 'Ada', you: false },
      { userId: 'grace', name: 'Grace', you: true },
      { userId: 'linus', name: 'Linus', you: false },
    ]);
  });

  it('puts a user signed in with a name of their own first', () => {
    const owners = mailboxOwners({ userId: 'margaret-1a2b', displayName: 'Margaret' });
    expect(owners[0]).toEqual({ userId: 'margaret-1a2b', name: 'Margaret', you: true });
    expect(owners.map((o) => o.userId)).toEqual(['margaret-1a2b', 'ada', 'grace', 'linus']);
  });
});

describe('keepUnchanged', () => {
  it('keeps the list shown when a poll brings the same messages', () => {
    const shown = [message('2', 2), message('1')];
    expect(keepUnchanged(shown, [message('2', 2), message('1')])).toBe(shown);
  });

  it('takes the fetched list when a message came or went, or nothing was shown yet', () => {
    const shown = [message('1')];
    const fetched = [message('2', 2), message('1')];
    expect(keepUnchanged(shown, fetched)).toBe(fetched);
    expect(keepUnchanged(fetched, shown)).toBe(shown);
    expect(keepUnchanged(null, shown)).toBe(shown);
    const empty: MailboxMessage[] = [];
    expect(keepUnchanged(null, empty)).toBe(empty);
  });
});

describe('httpUrl', () => {
  it('offers http: and https: links only', () => {
    expect(httpUrl('http://localhost:3000/api/email/unsubscribe?token=t')).toBe(
      'http://localhost:3000/api/email/unsubscribe?token=t',
    );
    expect(httpUrl('https://gateway.example.com/x')).toBe('https://gateway.example.com/x');
    expect(httpUrl('javascript:alert(1)')).toBeNull();
    expect(httpUrl('data:text/html,hi')).toBeNull();
    expect(httpUrl('/relative')).toBeNull();
  });
});
