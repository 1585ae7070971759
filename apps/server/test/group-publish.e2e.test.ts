import { type Notification } from '@realtime/contracts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GroupPublishesRepository } from '../src/groups/group-publishes.repository.js';
import { type Store } from '../src/store/database.js';
import { STORE } from '../src/store/store.module.js';
import { type Client, collect, connectAs, http, sign, startServer, type TestServer, trackClients } from './helpers.js';
import { dropTestDatabases, storeTargets } from './services.js';
import { until } from './wait-for.js';

afterAll(() => dropTestDatabases());

/** Small, so that a group of a few dozen members takes several chunks. */
const CHUNK = 7;
const MAX_FANOUT_BYTES = 40_000;

const membersOf = (group: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${group}-${String(i).padStart(3, '0')}`);

describe.each(storeTargets)('group notifications past one chunk on the $name store', (target) => {
  let server: TestServer;
  let service: string;
  const track = trackClients();

  const publish = (body: Record<string, unknown>, key?: string) =>
    http(server, 'POST', '/api/notifications', {
      token: service,
      body: { message: 'm', ...body },
      headers: key ? { 'idempotency-key': key } : {},
    });
  const addMembers = async (groupId: string, userIds: string[]) => {
    const res = await http(server, 'PUT', `/api/groups/${groupId}/members`, { token: service, body: { userIds } });
    expect(res.status).toBe(200);
  };
  /** Per user, how many notifications with this title the store holds, and their seqs. */
  const stored = async (title: string) => {
    const { rows } = await sql<{ user_id: string; seqs: number[] }>`
      select user_id, array_agg(seq order by seq) as seqs from notifications where title = ${title} group by user_id`.execute(
      server.app.get<Store>(STORE).db,
    );
    return new Map(rows.map((r) => [r.user_id, r.seqs]));
  };
  /** A marker to each socket after what is under test: whatever that sent them has arrived once it has. */
  const afterMarker = async (sockets: Client[], userIds: string[]) => {
    const marks = sockets.map((s) => until(s, 'notification:new', (p) => p.notification.title === 'marker'));
    const res = await publish({ userIds, title: 'marker' });
    expect(res.status).toBe(201);
    await Promise.all(marks);
  };
  const connectMember = async (userId: string) => track(await connectAs(server, userId));

  beforeAll(async () => {
    server = await startServer({
      ...(await target.env()),
      GROUP_PUBLISH_CHUNK_SIZE: String(CHUNK),
      MAX_FANOUT_BYTES: String(MAX_FANOUT_BYTES),
    });
    service = await sign({ sub: 'backend', role: 'service' });
  });
  afterAll(() => server.close());

  it('stores and delivers one notification per member, chunk by chunk, with exact counts; a replay delivers nothing', async () => {
    const members = membersOf('big', 30);
    await addMembers('big', members);
    const muted = members[10]!;
    await http(server, 'PUT', '/api/preferences', {
      token: await sign({ sub: muted }),
      body: { preferences: { news: { inApp: false } } },
    });
    // Members of the first, a middle and the last chunk (user_id order).
    const watched = [members[0]!, members[16]!, members[29]!];
    const sockets = await Promise.all(watched.map(connectMember));
    const news = sockets.map((s) => collect(s, 'notification:new'));
    const counts = sockets.map((s) => collect(s, 'notification:unread_count'));

    const res = await publish({ groupId: 'big', type: 'news', title: 'chunked' }, 'chunked-1');
    expect(res.status).toBe(201);
    const listed: Notification[] = res.body.notifications;
    expect(listed.map((n) => n.userId)).toEqual(members.filter((m) => m !== muted));
    expect(listed.every((n) => n.seq === 1 && n.title === 'chunked' && !n.read)).toBe(true);
    const perUser = await stored('chunked');
    expect(perUser.size).toBe(29);
    expect([...perUser.values()].every((seqs) => seqs.length === 1 && seqs[0] === 1)).toBe(true);

    const replay = await publish({ groupId: 'big', type: 'news', title: 'chunked' }, 'chunked-1');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(res.body);
    // A second notification: each member's next seq, whatever chunk they are in.
    const second = await publish({ groupId: 'big', type: 'news', title: 'chunked-2' });
    expect(second.status).toBe(201);
    expect(second.body.notifications).toHaveLength(29);
    expect(second.body.notifications.every((n: Notification) => n.seq === 2)).toBe(true);

    await afterMarker(sockets, watched);
    for (const [i, seen] of news.entries()) {
      expect(seen.filter((p) => p.notification.title.startsWith('chunked')).map((p) => p.notification.seq)).toEqual([
        1, 2,
      ]);
      // Joining the group moved each state's version to 1.
      expect(counts[i]!.slice(0, 2)).toEqual([
        { unreadCount: 1, version: 2 },
        { unreadCount: 2, version: 3 },
      ]);
    }
    const feed = await http(server, 'GET', '/api/notifications', { token: await sign({ sub: members[29]! }) });
    expect(feed.body).toMatchObject({ unreadCount: 3, version: 4 });
  });

  it('ends a group that is a whole number of chunks, and answers an empty group', async () => {
    await addMembers('even', membersOf('even', CHUNK * 2));
    const res = await publish({ groupId: 'even', title: 'even' });
    expect(res.status).toBe(201);
    expect(res.body.notifications).toHaveLength(CHUNK * 2);
    expect((await stored('even')).size).toBe(CHUNK * 2);
    const none = await publish({ groupId: 'nobody-here', title: 'none' });
    expect(none.status).toBe(201);
    expect(none.body).toEqual({ notifications: [] });
  });

  it('resumes a publish interrupted between chunks and inside one: every member once, nobody skipped', async () => {
    const members = membersOf('crash', 31);
    await addMembers('crash', members);
    const watched = [members[0]!, members[20]!, members[30]!];
    const sockets = await Promise.all(watched.map(connectMember));
    const news = sockets.map((s) => collect(s, 'notification:new'));
    const repo = server.app.get(GroupPublishesRepository);
    const original = repo.nextChunk.bind(repo);
    let calls = 0;
    // First request: two chunks stored, then it fails before the third. Second: a chunk fails after its
    // notifications were written, inside its transaction. The third request completes.
    const spy = vi.spyOn(repo, 'nextChunk').mockImplementation((id, size, write) => {
      calls++;
      if (calls === 3) return Promise.reject(new Error('process died between chunks'));
      if (calls === 5)
        return original(id, size, async (trx, userIds) => {
          await write(trx, userIds);
          throw new Error('process died inside a chunk');
        });
      return original(id, size, write);
    });
    try {
      const body = { groupId: 'crash', title: 'resumed' };
      expect((await publish(body, 'crash-1')).status).toBe(500);
      const partial = await stored('resumed');
      expect([...partial.keys()].sort()).toEqual(members.slice(0, CHUNK * 2));
      expect((await publish(body, 'crash-1')).status).toBe(500);
      expect((await stored('resumed')).size).toBe(CHUNK * 3);

      const done = await publish(body, 'crash-1');
      expect(done.status).toBe(201);
      expect(done.headers.get('idempotent-replayed')).toBeNull();
      expect(done.body.notifications.map((n: Notification) => n.userId)).toEqual(members);
      expect(done.body.notifications.every((n: Notification) => n.seq === 1)).toBe(true);
      const perUser = await stored('resumed');
      expect(perUser.size).toBe(31);
      expect([...perUser.values()].every((seqs) => seqs.length === 1 && seqs[0] === 1)).toBe(true);
      // The same key with another body is refused, even midway through a chunked publish's life.
      const reused = await publish({ ...body, title: 'other' }, 'crash-1');
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    } finally {
      spy.mockRestore();
    }
    await afterMarker(sockets, watched);
    for (const seen of news) {
      expect(seen.filter((p) => p.notification.title === 'resumed').map((p) => p.notification.seq)).toEqual([1]);
    }
    const feed = await http(server, 'GET', '/api/notifications', { token: await sign({ sub: members[0]! }) });
    expect(feed.body).toMatchObject({ unreadCount: 2, version: 3 });
  });

  it('runs concurrent requests with one key as one publish', async () => {
    const members = membersOf('twice', 25);
    await addMembers('twice', members);
    const body = { groupId: 'twice', title: 'concurrent' };
    const [a, b] = await Promise.all([publish(body, 'twice-1'), publish(body, 'twice-1')]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body).toEqual(b.body);
    expect(a.body.notifications.map((n: Notification) => n.userId)).toEqual(members);
    const perUser = await stored('concurrent');
    expect(perUser.size).toBe(25);
    expect([...perUser.values()].every((seqs) => seqs.length === 1)).toBe(true);
  });

  it('lets the key decide when the group grows past a chunk, or shrinks below one, before a retry', async () => {
    const members = membersOf('grows', CHUNK);
    await addMembers('grows', members);
    const first = await publish({ groupId: 'grows', title: 'grew' }, 'grows-1');
    expect(first.body.notifications).toHaveLength(CHUNK);
    await addMembers('grows', membersOf('grows2', 20));
    const retry = await publish({ groupId: 'grows', title: 'grew' }, 'grows-1');
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await stored('grew')).size).toBe(CHUNK);

    // And the other way round: a chunked publish's retry replays it after the group shrank to one chunk.
    const shrinking = membersOf('shrinks', CHUNK + 3);
    await addMembers('shrinks', shrinking);
    const chunked = await publish({ groupId: 'shrinks', title: 'shrank' }, 'shrinks-1');
    expect(chunked.body.notifications).toHaveLength(CHUNK + 3);
    for (const userId of shrinking.slice(0, 4)) {
      const res = await http(server, 'DELETE', `/api/groups/shrinks/members/${userId}`, { token: service });
      expect(res.status).toBe(204);
    }
    const again = await publish({ groupId: 'shrinks', title: 'shrank' }, 'shrinks-1');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(chunked.body);
    expect((await stored('shrank')).size).toBe(CHUNK + 3);
  });

  it('refuses bad input with a code before storing anything', async () => {
    await addMembers('wide', membersOf('wide', 30));
    const tooBig = await publish({ groupId: 'wide', title: 'wide', data: { s: 'x'.repeat(2000) } }, 'wide-1');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect((await stored('wide')).size).toBe(0);
    for (const groupId of ['', 'a\u0000b', 'x'.repeat(201)]) {
      const res = await publish({ groupId, title: 'bad' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
    }
    const both = await publish({ groupId: 'wide', userIds: ['u'], title: 'bad' });
    expect(both.status).toBe(400);
    expect((await stored('bad')).size).toBe(0);
  });
});
