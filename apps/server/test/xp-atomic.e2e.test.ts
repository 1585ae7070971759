import { type ServerEventName } from '@realtime/contracts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store } from '../src/store/database.js';
import { STORE } from '../src/store/store.module.js';
import {
  client,
  type Client,
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
import { until } from './wait-for.js';

afterAll(() => dropTestDatabases());

/** Everything an award may emit. */
const AWARD_EVENTS: ServerEventName[] = ['xp:gained', 'rank:updated', 'achievement:unlocked', 'notification:new'];

describe.each(storeTargets)('an XP award is all or nothing on the $name store', (target) => {
  let server: TestServer;
  let service: string;
  let db: Store['db'];
  const track = trackClients();
  const award = (userId: string, key: string) =>
    http(server, 'POST', '/api/xp', {
      token: service,
      body: { userId, amount: 120, source: 'mission' },
      headers: { 'idempotency-key': key },
    });

  /** What the store holds of the user's award: XP, achievements, feed, state row. */
  const applied = async (userId: string) => {
    const token = await sign({ sub: userId });
    const [profile, feed] = await Promise.all([
      http(server, 'GET', '/api/profile', { token }),
      http(server, 'GET', '/api/notifications', { token }),
    ]);
    const state = await db.selectFrom('user_state').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return {
      xp: profile.body.xp,
      achievements: profile.body.achievements.length,
      feed: feed.body.items.map((n: { seq: number }) => n.seq),
      // A row of zeros is no state: it may exist only to hold the email claim of the user's token.
      state: state && state.version > 0 ? [state.last_seq, state.unread_count, state.version] : null,
    };
  };

  /** Sends a marker and returns what the socket got of an award before it. */
  const emittedBefore = async (socket: Client, userId: string, seen: Map<string, unknown[]>) => {
    const arrived = until(socket, 'xp:gained', (p) => p.source === 'marker');
    await http(server, 'POST', '/api/events', {
      token: service,
      body: { event: 'xp:gained', payload: { amount: 1, source: 'marker', totalXp: 1 }, userIds: [userId] },
    });
    await arrived;
    return Object.fromEntries([...seen].map(([event, list]) => [event, list.length]));
  };

  beforeAll(async () => {
    server = await startServer({ ...(await target.env()), DATABASE_TIMEOUT_MS: '1000' });
    service = await sign({ sub: 'game', role: 'service' });
    db = server.app.get<Store>(STORE).db;
  });
  afterAll(() => server.close());

  it('rolls the whole award back when its second feed notification fails, emits nothing, and applies on retry', async () => {
    // The award writes the XP, the rank notification (seq 1), then the achievements' (seq 2, 3).
    await sql`create function fail_second_note() returns trigger language plpgsql as $$
      begin
        if new.user_id = 'ada' and new.seq = 2 then raise exception 'injected failure'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger fail_second_note before insert on notifications
      for each row execute function fail_second_note()`.execute(db);
    const socket = track(await connectAs(server, 'ada'));
    const seen = new Map(AWARD_EVENTS.map((e) => [e as string, collect(socket, e) as unknown[]]));

    const failed = await award('ada', 'award-1');
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ statusCode: 500, code: 'INTERNAL_ERROR', message: 'internal server error' });
    expect(await applied('ada')).toEqual({ xp: 0, achievements: 0, feed: [], state: null });
    // Only the marker: nothing of the failed award was emitted.
    expect(await emittedBefore(socket, 'ada', seen)).toEqual({
      'xp:gained': 1,
      'rank:updated': 0,
      'achievement:unlocked': 0,
      'notification:new': 0,
    });
    // A new device is told the state the store holds (the embedded store's cache learned nothing).
    const device = track(client(server, { auth: { token: await sign({ sub: 'ada' }) } }));
    const counted = next(device, 'notification:unread_count');
    await connect(device);
    expect(await counted).toEqual({ unreadCount: 0, version: 0 });

    await sql`drop trigger fail_second_note on notifications`.execute(db);
    const retried = await award('ada', 'award-1');
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(retried.body).toMatchObject({ xp: 120, rank: 'Aprendiz' });
    expect(await applied('ada')).toEqual({ xp: 120, achievements: 2, feed: [3, 2, 1], state: [3, 3, 3] });
  });

  it.runIf(target.name === 'postgres')(
    'answers 503 UNAVAILABLE with Retry-After when the database is too slow mid-award, and applies nothing',
    async () => {
      await sql`create function slow_note() returns trigger language plpgsql as $$
        begin
          if new.user_id = 'bea' then perform pg_sleep(3); end if;
          return new;
        end $$`.execute(db);
      await sql`create trigger slow_note before insert on notifications
        for each row execute function slow_note()`.execute(db);
      try {
        const started = Date.now();
        const slow = await award('bea', 'award-2');
        expect(slow.status).toBe(503);
        expect(slow.body).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE' });
        expect(Number(slow.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(Date.now() - started).toBeLessThan(2500);
        expect(await applied('bea')).toEqual({ xp: 0, achievements: 0, feed: [], state: null });
      } finally {
        await sql`drop trigger slow_note on notifications`.execute(db);
      }
      expect((await award('bea', 'award-2')).body).toMatchObject({ xp: 120 });
    },
  );
});
