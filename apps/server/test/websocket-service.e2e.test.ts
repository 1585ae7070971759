import { type Notification } from '@realtime/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryService } from '../src/delivery/delivery.service.js';
import { WebSocketService } from '../src/realtime/websocket.service.js';
import { collect, connectAs, next, startServer, type TestServer, trackClients } from './helpers.js';

let server: TestServer;
let ws: WebSocketService;
let delivery: DeliveryService;
const track = trackClients();

beforeAll(async () => {
  server = await startServer();
  ws = server.app.get(WebSocketService);
  delivery = server.app.get(DeliveryService);
});
afterAll(() => server.close());

const notification = (userId: string, seq: number): Notification => ({
  id: crypto.randomUUID(),
  userId,
  seq,
  type: 'info',
  title: 'Hi',
  message: `for ${userId}`,
  read: false,
  createdAt: new Date().toISOString(),
});

/** A change as the store hands it over: the notification and its user's count after it. */
const change = (notification: Notification) => ({
  kind: 'new' as const,
  userId: notification.userId,
  notification,
  count: { unreadCount: 1, version: notification.seq },
  timestamp: new Date().toISOString(),
});

describe('DeliveryService and WebSocketService (from the DI container)', () => {
  it('a delivered notification reaches every device of that user only', async () => {
    const [a1, a2, b] = [
      track(await connectAs(server, 'ann')),
      track(await connectAs(server, 'ann')),
      track(await connectAs(server, 'ben')),
    ];
    const bens = collect(b, 'notification:new');
    const n = notification('ann', 1);
    const both = Promise.all([next(a1, 'notification:new'), next(a2, 'notification:new')]);
    delivery.deliver([change(n)]);
    const [p1, p2] = await both;
    expect(p1.notification).toEqual(n);
    expect(p2.notification).toEqual(n);
    expect(Date.parse(p1.timestamp)).not.toBeNaN();
    const sync = next(b, 'xp:gained');
    ws.emit({ userId: 'ben' }, 'xp:gained', { amount: 1, source: 'sync', totalXp: 1 });
    await sync;
    expect(bens).toEqual([]);
  });

  it('delivery sends each user their own notification', async () => {
    const [a, b] = [track(await connectAs(server, 'cy')), track(await connectAs(server, 'di'))];
    const got = Promise.all([next(a, 'notification:new'), next(b, 'notification:new')]);
    delivery.deliver([notification('cy', 3), notification('di', 7)].map(change));
    const [pa, pb] = await got;
    expect([pa.notification.userId, pa.notification.seq]).toEqual(['cy', 3]);
    expect([pb.notification.userId, pb.notification.seq]).toEqual(['di', 7]);
  });

  it("types and delivers a user's events and a broadcast to everyone", async () => {
    const [a, b] = [track(await connectAs(server, 'ed')), track(await connectAs(server, 'flo'))];
    const achievement = next(a, 'achievement:unlocked');
    const rank = next(a, 'rank:updated');
    const boards = Promise.all([next(a, 'leaderboard:updated'), next(b, 'leaderboard:updated')]);
    ws.emit({ userId: 'ed' }, 'achievement:unlocked', {
      achievementId: 'first-login',
      title: 'First login',
      icon: '🎉',
    });
    ws.emit({ userId: 'ed' }, 'rank:updated', { newRank: 'Aprendiz', oldRank: 'Novato', xpRequired: 500 });
    ws.emit('all', 'leaderboard:updated', { leaderboard: [{ userId: 'ed', xp: 200, position: 1 }] });
    expect(await achievement).toEqual({ achievementId: 'first-login', title: 'First login', icon: '🎉' });
    expect(await rank).toEqual({ newRank: 'Aprendiz', oldRank: 'Novato', xpRequired: 500 });
    expect(await boards).toEqual([
      { leaderboard: [{ userId: 'ed', xp: 200, position: 1 }] },
      { leaderboard: [{ userId: 'ed', xp: 200, position: 1 }] },
    ]);
  });

  it('delivers once per socket even when a user is listed twice', async () => {
    const a = track(await connectAs(server, 'gus'));
    const seen = collect(a, 'xp:gained');
    const marker = next(a, 'rank:updated');
    ws.emit({ userIds: ['gus', 'gus', 'nobody'] }, 'xp:gained', { amount: 2, source: 's', totalXp: 2 });
    ws.emit({ userId: 'gus' }, 'rank:updated', { newRank: 'b', oldRank: 'a' });
    await marker;
    expect(seen).toHaveLength(1);
  });

  it('isUserConnected and connectionCount follow connects and disconnects', async () => {
    expect(await ws.isUserConnected('hal')).toBe(false);
    const a = track(await connectAs(server, 'hal'));
    track(await connectAs(server, 'hal'));
    expect(await ws.connectionCount('hal')).toBe(2);
    a.disconnect();
    await new Promise((r) => setTimeout(r, 100));
    expect(await ws.connectionCount('hal')).toBe(1);
    expect(await ws.isUserConnected('hal')).toBe(true);
  });
});
