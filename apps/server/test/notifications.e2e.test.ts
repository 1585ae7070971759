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
  startServer,
  type TestServer,
  trackClients,
} from './helpers.js';
import { dropTestDatabases, storeTargets } from './services.js';

afterAll(() => dropTestDatabases());

describe.each(storeTargets)('notifications on the $name store', (target) => {
  let server: TestServer;
  let service: string;
  const track = trackClients();
  const tokenOf = (sub: string) => sign({ sub });
  const publish = async (body: Record<string, unknown>) =>
    http(server, 'POST', '/api/notifications', { token: service, body: { title: 'Hello', message: 'World', ...body } });
  const publishOne = async (userId: string, title = 'Hello'): Promise<Notification> => {
    const res = await publish({ userId, title });
    expect(res.status).toBe(201);
    return res.body.notifications[0];
  };

  beforeAll(async () => {
    server = await startServer(await target.env());
    service = await sign({ sub: 'backend', role: 'service' });
  });
  afterAll(() => server.close());

  describe('POST /api/notifications', () => {
    it('201: persists one per user and emits notification:new then notification:unread_count to every device', async () => {
      const [phone, laptop, other] = [
        track(await connectAs(server, 'amy')),
        track(await connectAs(server, 'amy')),
        track(await connectAs(server, 'bo')),
      ];
      const strays = collect(other, 'notification:new');
      const order: string[] = [];
      phone.onAny((event: string) => order.push(event));
      const got = Promise.all([
        next(phone, 'notification:unread_count'),
        next(laptop, 'notification:new'),
        next(laptop, 'notification:unread_count'),
      ]);
      const res = await publish({ userId: 'amy', type: 'message', data: { from: 'bo' } });
      expect(res.status).toBe(201);
      const [stored] = res.body.notifications as Notification[];
      expect(stored).toMatchObject({
        userId: 'amy',
        seq: 1,
        type: 'message',
        title: 'Hello',
        message: 'World',
        data: { from: 'bo' },
        read: false,
      });
      const [phoneCount, laptopNew, laptopCount] = await got;
      expect(order).toEqual(['notification:new', 'notification:unread_count']);
      expect(laptopNew.notification).toEqual(stored);
      expect(phoneCount).toEqual({ unreadCount: 1, version: 1 });
      expect(laptopCount).toEqual({ unreadCount: 1, version: 1 });
      expect(strays).toEqual([]);
    });

    it('201: userIds gives each user their own notification', async () => {
      const res = await publish({ userIds: ['cy', 'dee', 'cy'], type: 'announcement' });
      expect(res.status).toBe(201);
      const list = res.body.notifications as Notification[];
      expect(list.map((n) => n.userId).sort()).toEqual(['cy', 'dee']);
      expect(list.every((n) => n.seq === 1 && n.type === 'announcement')).toBe(true);
    });

    it('400 for bodies that fail the schema, 401 without a token, 403 for a user token', async () => {
      for (const body of [
        {},
        { userId: 'x', userIds: ['y'] },
        { userId: 'x', title: '' },
        { userId: 'x', title: 'a'.repeat(201) },
        { userIds: [] },
      ]) {
        const res = await publish(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR' });
      }
      expect(
        (await http(server, 'POST', '/api/notifications', { body: { userId: 'x', title: 't', message: 'm' } })).status,
      ).toBe(401);
      const asUser = await http(server, 'POST', '/api/notifications', {
        token: await tokenOf('x'),
        body: { userId: 'x', title: 't', message: 'm' },
      });
      expect(asUser.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    });

    it('gives concurrent notifications for one user distinct consecutive seqs', async () => {
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => publishOne('racer', `#${i}`)));
      expect(results.map((n) => n.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    });
  });

  describe('GET /api/notifications', () => {
    it('pages the own feed newest first over several pages without duplicates or gaps', async () => {
      for (let i = 1; i <= 23; i++) await publishOne('feed', `#${i}`);
      await publishOne('feed-neighbour');
      const token = await tokenOf('feed');
      const seqs: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await http(server, 'GET', `/api/notifications?limit=10${cursor ? `&cursor=${cursor}` : ''}`, {
          token,
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ unreadCount: 23, version: 23 });
        seqs.push(...res.body.items.map((n: Notification) => n.seq));
        expect(res.body.items.every((n: Notification) => n.userId === 'feed')).toBe(true);
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seqs).toEqual(Array.from({ length: 23 }, (_, i) => 23 - i));
    });

    it('filters unread=true, and refuses a bad limit or cursor with 400', async () => {
      const [first] = [await publishOne('filter'), await publishOne('filter')];
      const token = await tokenOf('filter');
      await http(server, 'POST', `/api/notifications/${first.id}/read`, { token });
      const unread = await http(server, 'GET', '/api/notifications?unread=true', { token });
      expect(unread.body.items.map((n: Notification) => n.seq)).toEqual([2]);
      expect(unread.body).toMatchObject({ unreadCount: 1, version: 3, nextCursor: null });
      for (const q of ['limit=0', 'limit=101', 'limit=abc', 'cursor=bogus', 'unread=maybe']) {
        const res = await http(server, 'GET', `/api/notifications?${q}`, { token });
        expect(res.status, q).toBe(400);
        expect(res.body.code).toBe('VALIDATION_ERROR');
      }
      expect((await http(server, 'GET', '/api/notifications')).status).toBe(401);
    });
  });

  describe('sync across devices', () => {
    it('mark_read on one device reaches the other as notification:read and the new count; twice is fine', async () => {
      const n = await publishOne('sync');
      await publishOne('sync');
      const [phone, laptop] = [track(await connectAs(server, 'sync')), track(await connectAs(server, 'sync'))];
      const onLaptop = Promise.all([next(laptop, 'notification:read'), next(laptop, 'notification:unread_count')]);
      expect(await phone.emitWithAck('notification:mark_read', { notificationId: n.id })).toEqual({
        ok: true,
        notificationId: n.id,
        unreadCount: 1,
        version: 3,
      });
      expect(await onLaptop).toEqual([
        { notificationId: n.id, success: true },
        { unreadCount: 1, version: 3 },
      ]);
      // Reading it again changes nothing, so the version stays.
      expect(await phone.emitWithAck('notification:mark_read', { notificationId: n.id })).toEqual({
        ok: true,
        notificationId: n.id,
        unreadCount: 1,
        version: 3,
      });
    });

    it('mark_all_read and delete reach every device; the HTTP routes do the same', async () => {
      const made = [await publishOne('multi'), await publishOne('multi'), await publishOne('multi')];
      const [phone, laptop] = [track(await connectAs(server, 'multi')), track(await connectAs(server, 'multi'))];
      const reads = collect(laptop, 'notification:read');
      const countAfterAll = next(laptop, 'notification:unread_count');
      expect(await phone.emitWithAck('notification:mark_all_read', {})).toEqual({
        ok: true,
        updated: 3,
        unreadCount: 0,
        version: 4,
      });
      expect(await countAfterAll).toEqual({ unreadCount: 0, version: 4 });
      expect(reads.map((r) => r.notificationId).sort()).toEqual(made.map((n) => n.id).sort());

      const deleted = next(laptop, 'notification:deleted');
      expect(await phone.emitWithAck('notification:delete', { notificationId: made[0]!.id })).toMatchObject({
        ok: true,
        unreadCount: 0,
      });
      expect(await deleted).toEqual({ notificationId: made[0]!.id });

      const token = await tokenOf('multi');
      const fresh = await publishOne('multi');
      const httpRead = Promise.all([next(phone, 'notification:read'), next(laptop, 'notification:read')]);
      expect((await http(server, 'POST', `/api/notifications/${fresh.id}/read`, { token })).body).toEqual({
        notificationId: fresh.id,
        success: true,
      });
      await httpRead;
      const httpDelete = next(phone, 'notification:deleted');
      expect((await http(server, 'DELETE', `/api/notifications/${fresh.id}`, { token })).status).toBe(204);
      expect(await httpDelete).toEqual({ notificationId: fresh.id });
      await publishOne('multi');
      expect((await http(server, 'POST', '/api/notifications/read-all', { token })).body).toEqual({ updated: 1 });
      const feed = await http(server, 'GET', '/api/notifications', { token });
      expect(feed.body.items.map((n: Notification) => n.seq)).toEqual([5, 3, 2]);
    });

    it("refuses another user's notification with NOT_FOUND (socket) and 404 (HTTP), changing nothing", async () => {
      const theirs = await publishOne('victim');
      const attacker = track(await connectAs(server, 'attacker'));
      for (const event of ['notification:mark_read', 'notification:delete'] as const) {
        expect(await attacker.emitWithAck(event, { notificationId: theirs.id })).toMatchObject({
          ok: false,
          error: { code: 'NOT_FOUND' },
        });
      }
      expect(await attacker.emitWithAck('notification:mark_read', { notificationId: 'not-a-uuid' })).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
      const token = await tokenOf('attacker');
      expect((await http(server, 'POST', `/api/notifications/${theirs.id}/read`, { token })).body).toMatchObject({
        statusCode: 404,
        code: 'NOT_FOUND',
      });
      expect((await http(server, 'DELETE', `/api/notifications/${theirs.id}`, { token })).status).toBe(404);
      expect((await http(server, 'DELETE', '/api/notifications/zzz', { token })).status).toBe(404);
      const victimFeed = await http(server, 'GET', '/api/notifications', { token: await tokenOf('victim') });
      expect(victimFeed.body).toMatchObject({ unreadCount: 1, items: [{ id: theirs.id, read: false }] });
      expect(attacker.connected).toBe(true);
    });
  });

  describe('hostile input', () => {
    it('answers values the database cannot store with 400, not 500, and wastes no seq', async () => {
      const bodies = [
        { userId: 'hostile', title: 'nul\u0000here', message: 'm' },
        { userId: 'hostile', title: 't', message: 'm', data: { k: 'lone \ud800 surrogate' } },
      ];
      for (const body of bodies) {
        const res = await http(server, 'POST', '/api/notifications', { token: service, body: JSON.stringify(body) });
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR' });
      }
      expect((await publishOne('hostile')).seq).toBe(1);
      const overflow = Buffer.from('s:2147483648').toString('base64url');
      const res = await http(server, 'GET', `/api/notifications?cursor=${overflow}`, {
        token: await tokenOf('hostile'),
      });
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR' });
    });

    it('answers with the stored id when a client sends it in upper case', async () => {
      const n = await publishOne('caps');
      const socket = track(await connectAs(server, 'caps'));
      const read = next(socket, 'notification:read');
      const ack = await socket.emitWithAck('notification:mark_read', { notificationId: n.id.toUpperCase() });
      expect(ack).toMatchObject({ ok: true, notificationId: n.id });
      expect(await read).toEqual({ notificationId: n.id, success: true });
      const res = await http(server, 'POST', `/api/notifications/${n.id.toUpperCase()}/read`, {
        token: await tokenOf('caps'),
      });
      expect(res.body).toEqual({ notificationId: n.id, success: true });
    });

    it('refuses a lastSeq beyond the seq range with VALIDATION_ERROR', async () => {
      const socket = track(client(server, { auth: { token: await tokenOf('far'), lastSeq: 2 ** 31 } }));
      const error = next(socket, 'error');
      await connect(socket);
      expect(await error).toMatchObject({ code: 'VALIDATION_ERROR' });
    });
  });

  describe('missed while away', () => {
    /** Connects and collects everything up to `notification:synced`, which ends every handshake. */
    const connectWith = async (sub: string, auth: Record<string, unknown>) => {
      const socket = track(client(server, { auth: { token: await tokenOf(sub), ...auth } }));
      const replayed = collect(socket, 'notification:new');
      const order: string[] = [];
      socket.onAny((e: string) => order.push(e));
      const count = next(socket, 'notification:unread_count');
      const synced = next(socket, 'notification:synced');
      await connect(socket);
      return { socket, replayed, order, count: await count, synced: await synced };
    };

    it('takes a lastSeq ahead of the store (a reset store) as where the store is, and delivers what comes next', async () => {
      await publishOne('reset', '#1');
      const { socket, synced } = await connectWith('reset', { lastSeq: 50 });
      expect(synced).toEqual({ lastSeq: 1 });
      const live = next(socket, 'notification:new');
      await publishOne('reset', '#2');
      expect((await live).notification.seq).toBe(2);
    });

    it('counts notifications created while offline at the next connect, then replays seq > lastSeq in order', async () => {
      for (let i = 1; i <= 5; i++) await publishOne('away', `#${i}`);
      const { replayed, order, count, synced } = await connectWith('away', { lastSeq: 2 });
      expect(count).toEqual({ unreadCount: 5, version: 5 });
      expect(replayed.map((p) => [p.notification.seq, p.replayed])).toEqual([
        [3, true],
        [4, true],
        [5, true],
      ]);
      expect(synced).toEqual({ lastSeq: 5 });
      expect(order).toEqual([
        'authenticated',
        'notification:unread_count',
        'notification:new',
        'notification:new',
        'notification:new',
        'notification:synced',
      ]);
    });

    it('skips deleted notifications in the replay, and replays nothing without lastSeq (but still syncs)', async () => {
      const made = [await publishOne('gaps'), await publishOne('gaps'), await publishOne('gaps')];
      await http(server, 'DELETE', `/api/notifications/${made[1]!.id}`, { token: await tokenOf('gaps') });
      const withSeq = await connectWith('gaps', { lastSeq: '0' });
      expect(withSeq.replayed.map((p) => p.notification.seq)).toEqual([1, 3]);
      const without = await connectWith('gaps', {});
      expect(without.replayed).toEqual([]);
      expect(without.synced).toEqual({ lastSeq: 3 });
      expect((await connectWith('nobody-yet', {})).synced).toEqual({ lastSeq: 0 });
    });

    it('holds live notifications during the replay: the socket sees seq strictly increasing, each once', async () => {
      for (let i = 0; i < 40; i++) await publishOne('racer-live', `old ${i}`);
      for (let round = 0; round < 5; round++) {
        const socket = track(client(server, { auth: { token: await tokenOf('racer-live'), lastSeq: 0 } }));
        const seqs: number[] = [];
        socket.on('notification:new', ({ notification }) => seqs.push(notification.seq));
        const synced = next(socket, 'notification:synced');
        // New notifications race the handshake's replay.
        const racing = Promise.all(Array.from({ length: 10 }, (_, i) => publishOne('racer-live', `new ${round}.${i}`)));
        await connect(socket);
        const [{ lastSeq }, created] = await Promise.all([synced, racing]);
        const last = Math.max(...created.map((n) => n.seq));
        // Whatever came before synced plus what comes after: every seq once, in order.
        const marker = next(socket, 'notification:new');
        const end = await publishOne('racer-live', 'marker');
        await marker;
        expect(seqs.filter((q) => q <= last)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
        expect(seqs.at(-1)).toBe(end.seq);
        expect(lastSeq).toBeGreaterThanOrEqual(40);
        socket.disconnect();
      }
    });

    it('sends notification:resync instead when more than 100 were missed', async () => {
      await publish({ userIds: ['bulk'] });
      for (let i = 0; i < 104; i++) await publish({ userIds: ['bulk'], title: `#${i}` });
      const { replayed, order, synced } = await connectWith('bulk', { lastSeq: 1 });
      expect(order).toContain('notification:resync');
      expect(replayed).toEqual([]);
      expect(synced).toEqual({ lastSeq: 105 });
    });

    it('answers a malformed lastSeq with error VALIDATION_ERROR, replays nothing and stays connected', async () => {
      await publishOne('odd');
      const { socket, order, replayed } = await connectWith('odd', { lastSeq: 'abc' });
      expect(order).toEqual(['authenticated', 'notification:unread_count', 'error', 'notification:synced']);
      expect(replayed).toEqual([]);
      expect(socket.connected).toBe(true);
    });
  });
});
