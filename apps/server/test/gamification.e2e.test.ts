import { type Notification } from '@realtime/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  collect,
  connect,
  connectAs,
  http,
  next,
  sign,
  sleep,
  startServer,
  type TestServer,
  trackClients,
} from './helpers.js';
import { dropTestDatabases, storeTargets } from './services.js';

afterAll(() => dropTestDatabases());

describe.each(storeTargets)('gamification on the $name store', (target) => {
  let server: TestServer;
  let service: string;
  const track = trackClients();
  const award = (userId: string, amount: number, source = 'mission', extra: Record<string, unknown> = {}) =>
    http(server, 'POST', '/api/xp', { token: service, body: { userId, amount, source, ...extra } });

  beforeAll(async () => {
    server = await startServer(await target.env());
    service = await sign({ sub: 'game-service', role: 'service' });
  });
  afterAll(() => server.close());

  it('POST /api/xp: xp:gained to every device, rank:updated on a new rank, achievements once, each in the feed', async () => {
    const [phone, laptop] = [track(await connectAs(server, 'xena')), track(await connectAs(server, 'xena'))];
    const achievements = collect(laptop, 'achievement:unlocked');
    const feed = collect(laptop, 'notification:new');
    const gained = Promise.all([next(phone, 'xp:gained'), next(laptop, 'xp:gained')]);
    const rank = next(laptop, 'rank:updated');
    const res = await award('xena', 120, 'mission', { displayName: 'Xena' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      userId: 'xena',
      displayName: 'Xena',
      xp: 120,
      rank: 'Aprendiz',
      rankFloor: 100,
      nextRank: 'Intermedio',
      xpRequired: 300,
    });
    expect(await gained).toEqual([
      { amount: 120, source: 'mission', totalXp: 120 },
      { amount: 120, source: 'mission', totalXp: 120 },
    ]);
    expect(await rank).toEqual({ newRank: 'Aprendiz', oldRank: 'Novato', xpRequired: 300 });
    await sleep(200);
    expect(achievements.map((a) => a.achievementId).sort()).toEqual(['first-mission', 'first-xp']);
    expect(feed.map((n) => n.notification.type).sort()).toEqual(['achievement', 'achievement', 'rank']);

    await award('xena', 10, 'mission');
    await sleep(150);
    expect(achievements).toHaveLength(2);
    const profile = await http(server, 'GET', '/api/profile', { token: await sign({ sub: 'xena' }) });
    expect(profile.body).toMatchObject({ xp: 130, rank: 'Aprendiz' });
    expect(profile.body.achievements.map((a: { achievementId: string }) => a.achievementId).sort()).toEqual([
      'first-mission',
      'first-xp',
    ]);
    const stored = await http(server, 'GET', '/api/notifications', { token: await sign({ sub: 'xena' }) });
    expect(stored.body.items.map((n: Notification) => n.type)).toContain('achievement');
  });

  it('never loses concurrent awards', async () => {
    await Promise.all(Array.from({ length: 20 }, () => award('yuri', 5, 'quiz')));
    expect((await http(server, 'GET', '/api/profile', { token: await sign({ sub: 'yuri' }) })).body.xp).toBe(100);
  });

  it('coalesces a burst of XP changes into one leaderboard:updated, sent to everyone', async () => {
    const [a, b] = [track(await connectAs(server, 'watcher-a')), track(await connectAs(server, 'watcher-b'))];
    await sleep(400);
    const boardsA = collect(a, 'leaderboard:updated');
    const boardsB = collect(b, 'leaderboard:updated');
    await Promise.all(Array.from({ length: 12 }, (_, i) => award(`burst-${i % 4}`, 1000 + i, 'burst')));
    await sleep(800);
    expect(boardsA.length).toBeGreaterThanOrEqual(1);
    expect(boardsA.length).toBeLessThanOrEqual(2);
    expect(boardsB).toEqual(boardsA);
    const last = boardsA.at(-1)!.leaderboard;
    expect(
      last
        .slice(0, 4)
        .map((e) => e.userId)
        .sort(),
    ).toEqual(['burst-0', 'burst-1', 'burst-2', 'burst-3']);
    expect(last.map((e) => e.position)).toEqual(last.map((_, i) => i + 1));
    const http200 = await http(server, 'GET', '/api/leaderboard', { token: await sign({ sub: 'watcher-a' }) });
    expect(http200.body).toEqual({ leaderboard: last });
  });

  it('shows the display name from the token name claim on the leaderboard', async () => {
    const token = await sign({ sub: 'zoe', name: 'Zoë' });
    const socket = track(client(server, { auth: { token } }));
    const counted = next(socket, 'notification:unread_count');
    await connect(socket);
    await counted;
    await sleep(100);
    await award('zoe', 99_999, 'test');
    const board = await http(server, 'GET', '/api/leaderboard', { token });
    expect(board.body.leaderboard[0]).toEqual({ userId: 'zoe', displayName: 'Zoë', xp: 99_999, position: 1 });
  });

  it('400 for a bad body, 401 without a token, 403 for a user token', async () => {
    for (const body of [
      {},
      { userId: 'u', amount: 0, source: 's' },
      { userId: 'u', amount: 1.5, source: 's' },
      { userId: 'u', amount: 10 },
    ]) {
      const res = await http(server, 'POST', '/api/xp', { token: service, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
    }
    expect((await http(server, 'POST', '/api/xp', { body: { userId: 'u', amount: 1, source: 's' } })).status).toBe(401);
    expect((await http(server, 'GET', '/api/leaderboard')).status).toBe(401);
    const asUser = await http(server, 'POST', '/api/xp', {
      token: await sign({ sub: 'u' }),
      body: { userId: 'u', amount: 1, source: 's' },
    });
    expect(asUser.status).toBe(403);
  });
});
