import type { Server, Socket as ServerSocket } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  AckResponse,
  ClientToServerEvents,
  InterServerEvents,
  Notification,
  PublishEventBody,
  ServerPayload,
  ServerToClientEvents,
  SocketData,
} from './index.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
const socket = io('http://127.0.0.1:1', { autoConnect: false }) as ClientSocket;

describe('client socket types', () => {
  it('types listener payloads from the schemas', () => {
    socket.on('notification:new', (payload) => {
      expectTypeOf(payload.notification).toEqualTypeOf<Notification>();
      expectTypeOf(payload.notification.seq).toBeNumber();
      expectTypeOf(payload.timestamp).toBeString();
    });
    socket.on('notification:unread_count', ({ unreadCount }) => {
      expectTypeOf(unreadCount).toBeNumber();
    });
    socket.on('rank:updated', (payload) => {
      expectTypeOf(payload.xpRequired).toEqualTypeOf<number | undefined>();
    });
    socket.on('authenticated', (payload) => {
      expectTypeOf(payload.success).toEqualTypeOf<true>();
      expectTypeOf(payload.email).toEqualTypeOf<string | null>();
    });
  });

  it('rejects unknown events and wrong payload use', () => {
    // @ts-expect-error not a server event
    socket.on('notification:unknown', () => undefined);
    socket.on('xp:gained', (payload) => {
      // @ts-expect-error xp:gained has no title
      void payload.title;
    });
  });

  it('types emits with their acknowledgements', async () => {
    socket.emit('notification:mark_read', { notificationId: 'x' }, (res) => {
      if (res.ok) expectTypeOf(res.unreadCount).toBeNumber();
      else expectTypeOf(res.error.code).toBeString();
    });
    const res = await socket.emitWithAck('auth:refresh', { token: 't' });
    expectTypeOf(res).toEqualTypeOf<AckResponse<{ expiresAt: string }>>();
    // @ts-expect-error notificationId is required
    socket.emit('notification:delete', {}, () => undefined);
    // @ts-expect-error clients cannot emit server events
    socket.emit('notification:new', { notification: {}, timestamp: '' }, () => undefined);
  });
});

describe('server socket types', () => {
  it('types emits to rooms and socket.data', () => {
    const server = {} as Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
    const s = {} as ServerSocket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
    expectTypeOf(s.data.userId).toBeString();
    expectTypeOf(server.to).toBeFunction();
    // @ts-expect-error wrong payload for xp:gained
    server.to('user:1').emit('xp:gained', { amount: 'ten' });
    s.on('notification:delete', (payload, ack) => {
      expectTypeOf(payload.notificationId).toBeString();
      ack({ ok: false, error: { code: 'NOT_FOUND', message: 'no' } });
      // @ts-expect-error unknown error code
      ack({ ok: false, error: { code: 'NOPE', message: 'no' } });
    });
  });

  it('types publish bodies per event', () => {
    const body: PublishEventBody<'xp:gained'> = {
      event: 'xp:gained',
      payload: { amount: 10, source: 'mission', totalXp: 10 },
    };
    expectTypeOf(body.payload).toEqualTypeOf<ServerPayload<'xp:gained'>>();
    // @ts-expect-error authenticated cannot be published
    const bad: PublishEventBody = { event: 'authenticated', payload: {} };
    void bad;
  });
});
