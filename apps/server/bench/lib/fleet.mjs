// The benchmark's Socket.IO clients: websocket-only, one per device, two devices per user. Every
// event the scenarios time is routed through `hub`, whose callbacks each scenario sets.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { URL } from 'node:url';

const require = createRequire(new URL('../../package.json', import.meta.url));
const { io } = require('socket.io-client');

export const now = () => performance.now();

export function createHub() {
  const noop = () => undefined;
  return {
    onNew: noop,
    onRead: noop,
    onBroadcast: noop,
    closing: false,
    unexpectedDisconnects: 0,
    disconnectReasons: {},
    serverErrors: [],
  };
}

/**
 * Opens one client and resolves when `authenticated` arrives; rejects on `connect_error` or timeout.
 * `client` gets `socket`, `tStart`, `tAuth` and (when it arrives) `tUnread`.
 */
export function connectClient(baseUrl, client, hub, timeoutMs) {
  return new Promise((resolve, reject) => {
    client.tStart = now();
    const socket = io(baseUrl, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: timeoutMs,
      auth: { token: client.token },
    });
    client.socket = socket;
    let settled = false;
    const settle = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        socket.close();
        reject(err);
      } else resolve(client);
    };
    const timer = setTimeout(() => settle(new Error(`no authenticated within ${Math.round(timeoutMs)} ms`)), timeoutMs);
    socket.on('authenticated', () => {
      client.tAuth = now();
      client.connected = true;
      settle();
    });
    socket.on('connect_error', (err) =>
      settle(new Error(`connect_error ${err.message} ${err.data?.code ?? ''}`.trim())),
    );
    socket.on('notification:unread_count', () => {
      client.tUnread ??= now();
    });
    socket.on('notification:new', (payload) => hub.onNew(client, payload));
    socket.on('notification:read', (payload) => hub.onRead(client, payload));
    socket.on('leaderboard:updated', () => hub.onBroadcast(client));
    socket.on('error', (payload) => {
      if (hub.serverErrors.length < 20) hub.serverErrors.push(payload);
    });
    socket.on('disconnect', (reason) => {
      const was = client.connected;
      client.connected = false;
      if (!hub.closing && was) {
        hub.unexpectedDisconnects++;
        hub.disconnectReasons[reason] = (hub.disconnectReasons[reason] ?? 0) + 1;
      }
    });
  });
}

/** Closes every client and waits (bounded) until their sockets are gone. */
export async function closeAll(clients, hub, timeoutMs = 5000) {
  hub.closing = true;
  for (const c of clients) c.socket?.close();
  const deadline = now() + timeoutMs;
  while (clients.some((c) => c.socket?.connected) && now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
}
