import { type LatestBroadcast } from '@realtime/contracts';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BudgetedBroadcast } from './budgeted-broadcast.js';
import { type AppServer } from './socket-types.js';

const board = (xp: number, groupId?: string): LatestBroadcast => ({
  room: groupId ? `group:${groupId}` : null,
  event: 'leaderboard:updated',
  payload: { leaderboard: [{ userId: 'ada', xp, position: 1 }], ...(groupId ? { groupId } : {}) },
});

const waitFor = (ready: () => boolean) =>
  vi.waitFor(
    () => {
      if (!ready()) throw new Error('not yet');
    },
    { timeout: 5000, interval: 5 },
  );

// A real Socket.IO server and clients: the broadcast writes through socket.io's own encoder and
// engine, so a socket.io upgrade that drops the internals it uses fails here.
describe('BudgetedBroadcast', () => {
  let io: Server;
  let clients: Socket[];
  const received = new Map<Socket, unknown[]>();

  beforeAll(async () => {
    const http = createServer();
    io = new Server(http);
    io.on('connection', (socket) => {
      if (socket.handshake.auth.member) void socket.join('group:g1');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    clients = Array.from({ length: 30 }, (_, i) =>
      connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], auth: { member: i % 3 === 0 } }),
    );
    for (const c of clients) {
      received.set(c, []);
      c.on('leaderboard:updated', (payload: unknown) => received.get(c)!.push(payload));
    }
    await waitFor(() => io.of('/').sockets.size === clients.length);
  });

  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await io.close();
  });

  const clear = () => clients.forEach((c) => (received.get(c)!.length = 0));

  it('sends in slices, other work running between them, and every socket gets the value once', async () => {
    clear();
    const slices: number[] = [];
    // A zero-length slice writes one socket each.
    const budget = new BudgetedBroadcast(io as unknown as AppServer, 1, { spent: (ms) => slices.push(ms) }, 0);
    budget.send('global', board(10));
    expect(slices).toHaveLength(1);
    let ranBetween = false;
    setImmediate(() => (ranBetween = !budget.idle));
    await waitFor(() => budget.idle && clients.every((c) => received.get(c)!.length === 1));
    expect(ranBetween).toBe(true);
    // One slice per socket, and one that finds the audience done.
    expect(slices.length).toBeGreaterThanOrEqual(clients.length);
    for (const c of clients) expect(received.get(c)).toEqual([board(10).payload]);
  });

  it('lets the latest value of a key replace one not yet sent, and ends every socket with it', async () => {
    clear();
    let superseded = 0;
    const budget = new BudgetedBroadcast(io as unknown as AppServer, 0.5, { superseded: () => superseded++ }, 0);
    for (let xp = 1; xp <= 20; xp++) budget.send('global', board(xp));
    await waitFor(() => budget.idle && clients.every((c) => received.get(c)!.at(-1) !== undefined));
    await waitFor(() =>
      clients.every((c) => JSON.stringify(received.get(c)!.at(-1)) === JSON.stringify(board(20).payload)),
    );
    // The first went out at once; of the 19 that waited behind it only the last was sent.
    expect(superseded).toBe(18);
    for (const c of clients) expect(received.get(c)!.length).toBe(2);
  });

  it("writes the frame itself when engine.io would send it at once, and keeps each socket's order", async () => {
    clear();
    const order = new Map<Socket, string[]>(clients.map((c) => [c, []]));
    const record = new Map<Socket, (event: string) => void>();
    for (const c of clients) {
      const fn = (event: string) => order.get(c)!.push(event);
      record.set(c, fn);
      c.onAny(fn);
    }
    const sockets = [...io.of('/').sockets.values()];
    const viaEngine = sockets.map((s) => vi.spyOn(s.client as unknown as { writeToEngine(): void }, 'writeToEngine'));
    const busy = new Set(sockets.filter((_, i) => i % 2 === 0).map((s) => s.id));
    try {
      // A packet still being written makes engine.io queue the next: the board must queue behind it.
      for (const s of sockets) if (busy.has(s.id)) s.emit('before');
      const budget = new BudgetedBroadcast(io as unknown as AppServer, 1, {}, 1000);
      budget.send('global', board(11));
      // Written while the board is: queued by engine.io behind it.
      for (const s of sockets) s.emit('after');
      await waitFor(() => clients.every((c) => order.get(c)!.includes('after')));
      sockets.forEach((s, i) => {
        const c = clients.find((k) => k.id === s.id)!;
        const expected = busy.has(s.id) ? ['before', 'leaderboard:updated', 'after'] : ['leaderboard:updated', 'after'];
        expect(order.get(c)).toEqual(expected);
        // 'before' and 'after' go through engine.io; the board only where the socket was busy.
        expect(viaEngine[i]!.mock.calls.length).toBe(busy.has(s.id) ? 3 : 1);
      });
      for (const c of clients) expect(received.get(c)).toEqual([board(11).payload]);
    } finally {
      viaEngine.forEach((spy) => spy.mockRestore());
      for (const c of clients) c.offAny(record.get(c));
    }
  });

  it("sends a room's value to its members only, and keys do not replace each other", async () => {
    clear();
    const budget = new BudgetedBroadcast(io as unknown as AppServer, 1);
    budget.send('group', board(7, 'g1'));
    budget.send('global', board(8));
    await waitFor(() => budget.idle && clients.every((c) => received.get(c)!.length >= 1));
    await new Promise((r) => setTimeout(r, 50));
    clients.forEach((c, i) => {
      const expected = i % 3 === 0 ? [board(7, 'g1').payload, board(8).payload] : [board(8).payload];
      expect(received.get(c)).toEqual(expected);
    });
  });
});
