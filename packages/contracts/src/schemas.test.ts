import { describe, expect, it } from 'vitest';
import {
  RESERVED_EVENT_NAMES,
  clientEventNames,
  clientToServerSchemas,
  notificationSchema,
  parsePublishedPayload,
  publishEventBodySchema,
  isProtocolEvent,
  publishableEventNames,
  serverEventNames,
  serverToClientSchemas,
  userRoom,
} from './index.js';

const notification = {
  id: '7d5c0a3e-9a77-4a3f-8f1e-2b7f4f0c1a11',
  userId: 'alice',
  seq: 1,
  type: 'info',
  title: 'Hello',
  message: 'World',
  read: false,
  createdAt: '2026-11-27T10:00:00.000Z',
};

describe('event names', () => {
  it('uses none of the names Socket.IO reserves', () => {
    for (const name of [...serverEventNames, ...clientEventNames]) {
      expect(RESERVED_EVENT_NAMES).not.toContain(name);
    }
  });

  it('has one schema per event and nothing else', () => {
    expect(Object.keys(serverToClientSchemas).sort()).toEqual([...serverEventNames].sort());
    expect(Object.keys(clientToServerSchemas).sort()).toEqual([...clientEventNames].sort());
  });

  it('publishes the server events that carry no store position, and none of the protocol events', () => {
    expect([...publishableEventNames].sort()).toEqual([
      'achievement:unlocked',
      'leaderboard:updated',
      'rank:updated',
      'xp:gained',
    ]);
    const protocol = serverEventNames.filter((name) => !(publishableEventNames as string[]).includes(name));
    expect(protocol.every(isProtocolEvent)).toBe(true);
    expect(protocol).toEqual(
      expect.arrayContaining(['authenticated', 'error', 'preferences:updated', 'notification:new']),
    );
    expect(isProtocolEvent('notification:anything_added_later')).toBe(true);
  });

  it('names user rooms user:{id}', () => {
    expect(userRoom('42')).toBe('user:42');
  });
});

describe('payload schemas', () => {
  it('accepts a notification as stored', () => {
    expect(notificationSchema.parse({ ...notification, data: { link: '/x' } })).toMatchObject(notification);
  });

  it('refuses a notification with a bad id, seq or date', () => {
    expect(notificationSchema.safeParse({ ...notification, id: 'nope' }).success).toBe(false);
    expect(notificationSchema.safeParse({ ...notification, seq: 0 }).success).toBe(false);
    expect(notificationSchema.safeParse({ ...notification, seq: 1.5 }).success).toBe(false);
    expect(notificationSchema.safeParse({ ...notification, createdAt: 'yesterday' }).success).toBe(false);
  });

  it('checks each server payload', () => {
    expect(serverToClientSchemas['xp:gained'].safeParse({ amount: 5, source: 'm', totalXp: 5 }).success).toBe(true);
    expect(serverToClientSchemas['xp:gained'].safeParse({ amount: -5, source: 'm', totalXp: 5 }).success).toBe(false);
    expect(serverToClientSchemas['notification:unread_count'].safeParse({ unreadCount: -1 }).success).toBe(false);
    expect(
      serverToClientSchemas['leaderboard:updated'].safeParse({
        leaderboard: [{ userId: 'a', xp: 10, position: 1 }],
      }).success,
    ).toBe(true);
    expect(serverToClientSchemas.error.safeParse({ message: 'x', code: 'MADE_UP' }).success).toBe(false);
  });

  it('checks each client payload', () => {
    expect(clientToServerSchemas['notification:mark_read'].safeParse({ notificationId: 'a' }).success).toBe(true);
    expect(clientToServerSchemas['notification:mark_read'].safeParse({}).success).toBe(false);
    expect(clientToServerSchemas['notification:mark_read'].safeParse('a').success).toBe(false);
    expect(clientToServerSchemas['auth:refresh'].safeParse({ token: '' }).success).toBe(false);
    expect(clientToServerSchemas['notification:mark_all_read'].safeParse({}).success).toBe(true);
  });
});

describe('publish bodies', () => {
  it('accepts a publishable event and checks its payload by that event', () => {
    const body = publishEventBodySchema.parse({ event: 'xp:gained', payload: { amount: 1, source: 's', totalXp: 1 } });
    expect(parsePublishedPayload(body.event, body.payload).success).toBe(true);
    expect(parsePublishedPayload('xp:gained', { amount: 'one' }).success).toBe(false);
  });

  it('refuses protocol events by name, unknown events and empty recipient lists', () => {
    for (const event of ['authenticated', 'error', 'made:up']) {
      expect(publishEventBodySchema.safeParse({ event, payload: {} }).success).toBe(false);
    }
    for (const event of [
      'notification:new',
      'notification:unread_count',
      'notification:synced',
      'preferences:updated',
    ]) {
      const result = publishEventBodySchema.safeParse({ event, payload: {} });
      expect(result.error?.issues[0]).toMatchObject({
        path: ['event'],
        message: `${event} is a protocol event: only the server sends it`,
      });
    }
    expect(publishEventBodySchema.safeParse({ event: 'xp:gained', payload: {}, userIds: [] }).success).toBe(false);
  });
});
