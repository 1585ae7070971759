import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdSocket, notificationSeq, releaseSocket, throughGate } from './socket-gate.js';
import { type AppSocket } from './socket-types.js';

const notification = (seq: number) => ({
  notification: {
    id: `id-${seq}`,
    userId: 'u',
    seq,
    type: 't',
    title: 'x',
    message: 'y',
    data: { seq: 0 },
    read: false,
    createdAt: 't',
  },
  timestamp: 't',
});

describe('socket gate (a real Socket.IO server and client)', () => {
  const httpServer = createServer();
  const io = new Server(httpServer);
  let url = '';
  let connected: Promise<AppSocket>;
  let client: ClientSocket;
  const got: string[] = [];

  beforeAll(async () => {
    await new Promise<void>((done) => httpServer.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    connected = new Promise((resolve) => io.on('connection', (s) => resolve(s as unknown as AppSocket)));
    client = connect(url, { transports: ['websocket'] });
    client.onAny((event: string, payload?: { notification?: { seq: number } }) =>
      got.push(payload?.notification ? `${event} ${payload.notification.seq}` : event),
    );
  });
  afterAll(async () => {
    client.disconnect();
    await io.close();
  });

  const settle = async () => {
    // A round trip: whatever the server wrote before it has arrived.
    client.emit('ping-back');
    await new Promise<void>((done) => client.once('pong-back', () => done()));
  };

  it('holds room broadcasts until release, lets throughGate pass, drops replayed seqs, then and later', async () => {
    const socket = await connected;
    const raw = socket as unknown as { on(e: string, l: () => void): void; emit(e: string): void };
    raw.on('ping-back', () => raw.emit('pong-back'));
    await socket.join('user:u');
    holdSocket(socket);
    io.to('user:u').emit('notification:new', notification(3)); // committed before the replay read
    io.to('user:u').emit('notification:new', notification(6)); // after it
    io.to('user:u').emit('other', {});
    throughGate(socket, () => {
      for (const seq of [3, 4, 5]) socket.emit('notification:new', { ...notification(seq), replayed: true });
    });
    expect(releaseSocket(socket, 5)).toBe(6);
    // A late emit of a seq the replay gave (its publisher's emit came after the read) is dropped too.
    io.to('user:u').emit('notification:new', notification(4));
    io.to('user:u').emit('notification:new', notification(7));
    await settle();
    expect(got.filter((e) => e !== 'pong-back')).toEqual([
      'notification:new 3',
      'notification:new 4',
      'notification:new 5',
      'notification:new 6',
      'other',
      'notification:new 7',
    ]);
  });

  it('reads the seq of an encoded notification:new only', () => {
    expect(notificationSeq(`2${JSON.stringify(['notification:new', notification(42)])}`)).toBe(42);
    expect(notificationSeq([`2${JSON.stringify(['notification:new', notification(7)])}`])).toBe(7);
    expect(notificationSeq(`2${JSON.stringify(['notification:read', { seq: 1 }])}`)).toBeUndefined();
    expect(notificationSeq(Buffer.from('2'))).toBeUndefined();
  });
});
