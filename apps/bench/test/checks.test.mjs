// The delivery checks themselves: the bench's scenarios against a small in-process Socket.IO server
// that loses, duplicates and misroutes events on purpose must report each fault, and report nothing
// against the same server behaving.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { createFleet } from '../src/lib/fleet.mjs';
import { createHttp } from '../src/lib/http.mjs';
import { broadcast, fanout, handshake } from '../src/lib/scenarios.mjs';

let cleanup = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/** A server speaking the gateway's wire contract (the token is the user id); `fault(k)` picks a fault for the k-th publish. */
async function faultyServer(fault) {
  let k = 0;
  const http = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const { event, payload, userIds } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const f = fault(++k);
      const rooms = userIds ? userIds.map((u) => `user:${u}`) : null;
      const emit = () => (rooms ? io.to(rooms).emit(event, payload) : io.emit(event, payload));
      if (f === 'duplicate') {
        emit();
        emit();
      } else if (f === 'misroute') {
        io.to(rooms ? [...rooms, 'user:u1'] : []).emit(event, payload);
      } else if (f === 'drop-one') {
        const [first] = io.of('/').sockets.keys();
        (rooms ? io.to(rooms) : io).except(first).emit(event, payload);
      } else if (f !== 'drop') emit();
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"accepted":true}');
    });
  });
  const io = new Server(http, { path: '/socket.io/', serveClient: false });
  io.use((socket, next) => {
    socket.data.userId = socket.handshake.auth.token;
    next();
  });
  io.on('connection', (socket) => {
    socket.join(`user:${socket.data.userId}`);
    socket.emit('authenticated', { success: true, userId: socket.data.userId, email: null });
    socket.emit('notification:unread_count', { unreadCount: 0, version: 0 });
  });
  await new Promise((resolve) => http.listen({ port: 0, host: '127.0.0.1' }, () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (http.address());
  cleanup.push(() => new Promise((resolve) => io.close(() => resolve(undefined))));
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
    sample: () => ({ cpuSeconds: 0, rssBytes: 0, processes: 1 }),
  };
}

async function connected(server, users) {
  const fleet = createFleet({ users, tokens: new Map(users.map((u) => [u, u])) });
  cleanup.push(() => fleet.closeAll());
  const http = createHttp(server.baseUrl, { maxSockets: 8 });
  cleanup.push(() => http.close());
  const h = await handshake({ server, fleet, concurrency: 10, capMs: 5000, idleRssBytes: 0, settleMs: 0 });
  expect(h.connected).toBe(users.length * 2);
  return { fleet, http };
}

const users = ['u0', 'u1', 'u2', 'u3', 'u4'];
const fanoutArgs = { serviceToken: 't', users, count: 20, warmup: 0, concurrency: 4, capMs: 1500, tag: 'x' };
const broadcastArgs = { serviceToken: 't', warmupRounds: 0, rounds: 2, burst: 4, burstConcurrency: 2, capMs: 1500 };

it('reports nothing when every event reaches every socket it is for, once', async () => {
  const server = await faultyServer(() => null);
  const { fleet, http } = await connected(server, users);
  const f = await fanout({ server, fleet, http, ...fanoutArgs });
  const b = await broadcast({ server, fleet, http, ...broadcastArgs });
  expect(fleet.violations).toEqual({});
  expect(f.deliveries).toBe(40);
  expect(b.burst.deliveries).toBe(40);
});

it('reports lost, duplicated and misrouted fan-out events', async () => {
  const faults = { 3: 'drop', 6: 'duplicate', 9: 'misroute' };
  const server = await faultyServer((k) => faults[k] ?? null);
  const { fleet, http } = await connected(server, users);
  const f = await fanout({ server, fleet, http, ...fanoutArgs });
  expect(fleet.violations['lost xp:gained']).toBe(1);
  expect(fleet.violations['duplicated xp:gained']).toBe(2); // both devices got a second copy
  expect(fleet.violations['misrouted xp:gained']).toBeGreaterThanOrEqual(1);
  expect(f.lostDeliveries).toBe(2);
});

it('reports lost and duplicated broadcasts', async () => {
  // In the burst (the two sequential rounds are publishes 1 and 2): a lost copy would hold a round to its deadline.
  const faults = { 3: 'duplicate', 5: 'drop-one' };
  const server = await faultyServer((k) => faults[k] ?? null);
  const { fleet, http } = await connected(server, users);
  const b = await broadcast({ server, fleet, http, ...broadcastArgs });
  expect(fleet.violations['lost leaderboard:updated']).toBe(1);
  expect(fleet.violations['duplicated leaderboard:updated']).toBe(10);
  expect(b.lostDeliveries).toBe(1);
});

it('reports an event no scenario expects', async () => {
  const server = await faultyServer(() => null);
  const { fleet } = await connected(server, users);
  const http = createHttp(server.baseUrl);
  cleanup.push(() => http.close());
  await http.request('POST', '/api/events', {
    body: { event: 'rank:updated', payload: { newRank: 'a', oldRank: 'b' } },
  });
  await new Promise((resolve) => globalThis.setTimeout(resolve, 200));
  expect(fleet.violations['unexpected rank:updated']).toBe(10);
});
