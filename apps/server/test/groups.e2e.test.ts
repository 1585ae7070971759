import { type Notification } from '@realtime/contracts';
import { type EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
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
import { WebSocketService } from '../src/realtime/websocket.service.js';
import { clusterEnv, clusterRedis, dropTestDatabases, storeTargets } from './services.js';
import { until } from './wait-for.js';

afterAll(() => dropTestDatabases());

const xp = (totalXp: number) => ({ amount: 1, source: 'group-test', totalXp });

/**
 * Waits for a marker sent to `socket` after the event under test: whatever the event would have
 * delivered to it has arrived by then (one connection, in order), so "got nothing" is a fact, not a sleep.
 */
async function afterMarker(node: TestServer, service: string, sockets: Client[], userIds: string[]): Promise<void> {
  const marks = sockets.map((s) => until(s, 'rank:updated', (p) => p.newRank === 'marker'));
  const res = await http(node, 'POST', '/api/events', {
    token: service,
    body: { event: 'rank:updated', payload: { newRank: 'marker', oldRank: 'marker' }, userIds },
  });
  expect(res.status).toBe(202);
  await Promise.all(marks);
}

/** Delays `node`'s handling of membership changes from other nodes by `ms`; returns the undo. */
function applyMembershipLate(node: TestServer, ms: number): () => void {
  // Other nodes' events reach the listeners of the Socket.IO server's main namespace.
  const io = (node.app.get(WebSocketService) as unknown as { server: { sockets: EventEmitter } }).server.sockets;
  const [original, ...others] = io.listeners('groups:changed') as ((...args: unknown[]) => void)[];
  expect(original && others.length === 0).toBe(true);
  io.removeAllListeners('groups:changed');
  io.on('groups:changed', (...args: unknown[]) => setTimeout(() => original!(...args), ms));
  return () => {
    io.removeAllListeners('groups:changed');
    io.on('groups:changed', original!);
  };
}

// Two processes on one PostgreSQL and one Redis: membership, group events and preferences cluster-wide.
describe.runIf(clusterRedis)('groups and preferences across a cluster of two nodes', () => {
  let a: TestServer;
  let b: TestServer;
  let service: string;
  const track = trackClients();

  beforeAll(async () => {
    const env = await clusterEnv();
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
    service = await sign({ sub: 'backend', role: 'service' });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  const addMembers = (node: TestServer, groupId: string, userIds: string[]) =>
    http(node, 'PUT', `/api/groups/${groupId}/members`, { token: service, body: { userIds } });
  const groupEvent = (node: TestServer, groupIds: string[], totalXp: number) =>
    http(node, 'POST', '/api/events', {
      token: service,
      body: { event: 'xp:gained', payload: xp(totalXp), groupIds },
    });

  it("sends a group event to a member's devices on both nodes, joined live, and to no non-member", async () => {
    const [onA, onB] = [track(await connectAs(a, 'ana')), track(await connectAs(b, 'ana'))];
    const outsider = track(await connectAs(b, 'oscar'));
    expect(await addMembers(a, 'class-1', ['ana', 'ana', 'bo'])).toMatchObject({
      status: 200,
      body: { groupId: 'class-1', added: 2 },
    });
    expect((await addMembers(b, 'class-1', ['ana'])).body).toEqual({ groupId: 'class-1', added: 0 });

    const strays = collect(outsider, 'xp:gained');
    const both = Promise.all([next(onA, 'xp:gained'), next(onB, 'xp:gained')]);
    expect((await groupEvent(b, ['class-1'], 7)).body).toEqual({
      accepted: true,
      event: 'xp:gained',
      recipients: 0,
      groups: 1,
    });
    expect(await both).toEqual([xp(7), xp(7)]);
    await afterMarker(a, service, [outsider], ['oscar']);
    expect(strays).toEqual([]);
  });

  it('puts a member in the room from the handshake on, and a socket in a group and its user room gets one copy', async () => {
    await addMembers(a, 'class-2', ['cleo']);
    const socket = track(await connectAs(b, 'cleo'));
    // Only the group: it reaches her because her handshake put her in the room.
    const fromGroup = next(socket, 'xp:gained');
    await groupEvent(a, ['class-2'], 2);
    expect(await fromGroup).toEqual(xp(2));
    const got = collect(socket, 'xp:gained');
    await http(a, 'POST', '/api/events', {
      token: service,
      body: { event: 'xp:gained', payload: xp(3), userIds: ['cleo'], groupIds: ['class-2'] },
    });
    await afterMarker(a, service, [socket], ['cleo']);
    expect(got).toEqual([xp(3)]);
  });

  it('stops delivering to a removed member at once, on every node', async () => {
    await addMembers(b, 'class-3', ['dev', 'eve']);
    const devices = [track(await connectAs(a, 'dev')), track(await connectAs(b, 'dev'))];
    const staying = track(await connectAs(a, 'eve'));
    const removedGot = devices.map((d) => collect(d, 'xp:gained'));

    // Node b applies the removal late: the DELETE on a answers only once b has applied it, so the
    // group event that follows cannot reach dev's device on b.
    const restore = applyMembershipLate(b, 300);
    const res = await http(a, 'DELETE', '/api/groups/class-3/members/dev', { token: service });
    expect(res.status).toBe(204);
    const stayed = next(staying, 'xp:gained');
    await groupEvent(b, ['class-3'], 11);
    expect(await stayed).toEqual(xp(11));
    await afterMarker(b, service, devices, ['dev']);
    restore();
    expect(removedGot).toEqual([[], []]);
    // Removing again changes nothing.
    expect((await http(b, 'DELETE', '/api/groups/class-3/members/dev', { token: service })).status).toBe(204);
    expect((await http(b, 'GET', '/api/groups/class-3/members', { token: service })).body).toEqual({
      groupId: 'class-3',
      userIds: ['eve'],
    });
  });

  it('gives no client a way into a room: a socket asking to join gets nothing sent to the group', async () => {
    expect((await addMembers(a, 'class-4', ['fay'])).status).toBe(200);
    const member = track(await connectAs(a, 'fay'));
    const intruder = track(await connectAs(b, 'gil'));
    const raw = intruder as unknown as { emit(event: string, ...args: unknown[]): void };
    for (const event of ['join', 'subscribe', 'room:join']) raw.emit(event, 'group:class-4');
    // A round trip: the server has handled those emits before the group event is sent.
    expect(await intruder.emitWithAck('notification:mark_all_read', {})).toMatchObject({ ok: true });
    const strays = collect(intruder, 'xp:gained');
    const delivered = next(member, 'xp:gained');
    expect((await groupEvent(a, ['class-4'], 1)).body).toMatchObject({ groups: 1 });
    expect(await delivered).toEqual(xp(1));
    await afterMarker(a, service, [intruder], ['gil']);
    expect(strays).toEqual([]);
    expect(intruder.connected).toBe(true);
  });

  it('stores one notification per member, each with their own seq, replayed after a reconnect', async () => {
    await addMembers(a, 'class-5', ['hal', 'ida']);
    // hal already has notifications: his seq goes on from there.
    await http(a, 'POST', '/api/notifications', {
      token: service,
      body: { userId: 'hal', title: 'before', message: 'm' },
    });
    const idas = track(await connectAs(b, 'ida'));
    const live = next(idas, 'notification:new');
    const res = await http(b, 'POST', '/api/notifications', {
      token: service,
      body: { groupId: 'class-5', type: 'announcement', title: 'Quiz on Friday', message: 'Chapter 3' },
    });
    expect(res.status).toBe(201);
    const created = res.body.notifications as Notification[];
    expect(created.map((n) => [n.userId, n.seq, n.title])).toEqual([
      ['hal', 2, 'Quiz on Friday'],
      ['ida', 1, 'Quiz on Friday'],
    ]);
    expect((await live).notification).toEqual(created[1]);

    // hal was away: his device comes back from seq 1 and gets the group notification replayed.
    const back = client(a, { auth: { token: await sign({ sub: 'hal' }), lastSeq: 1 } });
    track(back);
    const replayed = next(back, 'notification:new');
    const synced = next(back, 'notification:synced');
    await connect(back);
    expect(await replayed).toMatchObject({ notification: created[0], replayed: true });
    expect(await synced).toEqual({ lastSeq: 2 });
  });

  it('neither stores nor delivers a muted type, but a critical one; preferences reach the other devices', async () => {
    const [phone, laptop] = [track(await connectAs(a, 'jo')), track(await connectAs(b, 'jo'))];
    const token = await sign({ sub: 'jo' });
    expect((await http(a, 'GET', '/api/preferences', { token })).body).toEqual({ preferences: {} });

    const synced = next(laptop, 'preferences:updated');
    const put = await http(a, 'PUT', '/api/preferences', {
      token,
      body: { preferences: { marketing: { inApp: false }, digest: { offline: false } } },
    });
    const expected = {
      digest: { inApp: true, offline: false, push: true, email: true },
      marketing: { inApp: false, offline: true, push: true, email: true },
    };
    expect(put).toMatchObject({ status: 200, body: { preferences: expected } });
    expect(await synced).toEqual({ preferences: expected });
    // Merged by type: a field left out keeps its value.
    const merged = await http(b, 'PUT', '/api/preferences', {
      token,
      body: { preferences: { digest: { inApp: false } } },
    });
    expect(merged.body.preferences.digest).toEqual({ inApp: false, offline: false, push: true, email: true });

    const got = collect(phone, 'notification:new');
    const muted = await http(b, 'POST', '/api/notifications', {
      token: service,
      body: { userIds: ['jo', 'kim'], type: 'marketing', title: 'Sale', message: 'm' },
    });
    expect((muted.body.notifications as Notification[]).map((n) => n.userId)).toEqual(['kim']);
    const critical = await http(b, 'POST', '/api/notifications', {
      token: service,
      body: { userId: 'jo', type: 'marketing', title: 'Your card was charged', message: 'm', critical: true },
    });
    expect(critical.status).toBe(201);
    const arrived = next(phone, 'notification:new');
    await http(a, 'POST', '/api/notifications', {
      token: service,
      body: { userId: 'jo', title: 'after', message: 'm' },
    });
    await arrived;
    expect(got.map((e) => [e.notification.title, e.notification.seq])).toEqual([
      ['Your card was charged', 1],
      ['after', 2],
    ]);
    const feed = await http(a, 'GET', '/api/notifications', { token });
    expect(feed.body.items.map((n: Notification) => n.title)).toEqual(['after', 'Your card was charged']);
  });

  it("keeps a group's leaderboard for its members: GET ?groupId, and leaderboard:updated with groupId to them only", async () => {
    await addMembers(a, 'class-6', ['lu', 'max']);
    const member = track(await connectAs(b, 'max'));
    const outsider = track(await connectAs(a, 'ned'));
    const strays: unknown[] = [];
    outsider.on('leaderboard:updated', (p) => p.groupId && strays.push(p));
    // The board moved when the members joined, and moves again with the award.
    const board = new Promise<unknown>((resolve) =>
      member.on('leaderboard:updated', (p) => p.groupId === 'class-6' && p.leaderboard[0]?.xp === 40 && resolve(p)),
    );
    await http(a, 'POST', '/api/xp', { token: service, body: { userId: 'lu', amount: 40, source: 'quiz' } });
    expect(await board).toEqual({
      groupId: 'class-6',
      leaderboard: [
        { userId: 'lu', xp: 40, position: 1 },
        { userId: 'max', xp: 0, position: 2 },
      ],
    });
    const asMember = await http(b, 'GET', '/api/leaderboard?groupId=class-6', { token: await sign({ sub: 'max' }) });
    expect(asMember.body).toEqual(await board);
    const asOutsider = await http(b, 'GET', '/api/leaderboard?groupId=class-6', { token: await sign({ sub: 'ned' }) });
    expect(asOutsider).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    await afterMarker(a, service, [outsider], ['ned']);
    expect(strays).toEqual([]);
  });

  it('lists a user their own groups and shows members to members only', async () => {
    await addMembers(b, 'class-7', ['ona', 'pat']);
    await addMembers(b, 'class-8', ['ona']);
    const ona = await sign({ sub: 'ona' });
    expect((await http(a, 'GET', '/api/groups', { token: ona })).body).toEqual({
      groups: [{ groupId: 'class-7' }, { groupId: 'class-8' }],
    });
    expect((await http(a, 'GET', '/api/groups/class-7/members', { token: ona })).body).toEqual({
      groupId: 'class-7',
      userIds: ['ona', 'pat'],
    });
    const pat = await sign({ sub: 'pat' });
    expect(await http(a, 'GET', '/api/groups/class-8/members', { token: pat })).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    expect(
      await http(a, 'PUT', '/api/groups/class-8/members', { token: pat, body: { userIds: ['pat'] } }),
    ).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(
      await http(a, 'PUT', '/api/groups/class-8/members', { token: service, body: { userIds: [] } }),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR' } });
    expect(
      await http(a, 'POST', '/api/notifications', {
        token: service,
        body: { userId: 'ona', groupId: 'class-7', title: 't', message: 'm' },
      }),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR' } });
  });
});

// The embedded store answers handshakes from memory: membership must reach that memory too.
describe.each(storeTargets)('groups on one node ($name store)', (target) => {
  let server: TestServer;
  let service: string;
  const track = trackClients();

  beforeAll(async () => {
    server = await startServer(await target.env());
    service = await sign({ sub: 'backend', role: 'service' });
  });
  afterAll(() => server?.close());

  it('joins, leaves and joins again from the handshake as membership changes', async () => {
    const send = () =>
      http(server, 'POST', '/api/events', {
        token: service,
        body: { event: 'xp:gained', payload: xp(1), groupIds: ['solo'] },
      });
    await http(server, 'PUT', '/api/groups/solo/members', { token: service, body: { userIds: ['quinn'] } });
    let socket = track(await connectAs(server, 'quinn'));
    let got = next(socket, 'xp:gained');
    await send();
    await got;

    expect((await http(server, 'DELETE', '/api/groups/solo/members/quinn', { token: service })).status).toBe(204);
    socket.disconnect();
    socket = track(await connectAs(server, 'quinn'));
    const strays = collect(socket, 'xp:gained');
    expect((await send()).status).toBe(202);
    await afterMarker(server, service, [socket], ['quinn']);
    expect(strays).toEqual([]);

    await http(server, 'PUT', '/api/groups/solo/members', { token: service, body: { userIds: ['quinn'] } });
    socket.disconnect();
    socket = track(await connectAs(server, 'quinn'));
    got = next(socket, 'xp:gained');
    await send();
    await got;
  });
});
