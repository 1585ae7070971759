import { type INestApplication } from '@nestjs/common';
import {
  type ClientToServerEvents,
  type Role,
  type ServerEventName,
  type ServerPayload,
  type ServerToClientEvents,
} from '@realtime/contracts';
import { SignJWT } from 'jose';
import { afterEach } from 'vitest';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { createApp } from '../src/app.factory.js';
import { type AppConfig, loadConfig } from '../src/config/config.js';

export const SECRET = 'e2e-secret-0123456789abcdef0123456789';
export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestServer {
  app: INestApplication;
  url: string;
  config: AppConfig;
  close(): Promise<void>;
}

/** Starts the real app on 127.0.0.1 and a free port. */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET, HOST: '127.0.0.1', DATA_DIR: 'memory://', ...env });
  const app = await createApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, config, close: () => app.close() };
}

/** Signs a token as another service would, independently of the server's own signer. */
export async function sign(
  claims: { sub?: string; email?: string; name?: string; role?: Role; exp?: number } = {},
  opts: { secret?: string; alg?: string } = {},
): Promise<string> {
  const { exp, sub, ...rest } = { sub: 'alice', email: 'alice@example.com', role: 'user' as Role, ...claims };
  let jwt = new SignJWT(rest).setProtectedHeader({ alg: opts.alg ?? 'HS256' }).setIssuedAt();
  if (sub) jwt = jwt.setSubject(sub);
  jwt = jwt.setExpirationTime(exp ?? Math.floor(Date.now() / 1000) + 3600);
  return jwt.sign(new TextEncoder().encode(opts.secret ?? SECRET));
}

/** Returns `track(socket)`: every tracked socket is disconnected after each test of the file. */
export function trackClients(): (socket: Client) => Client {
  const open: Client[] = [];
  afterEach(() => {
    for (const c of open.splice(0)) c.disconnect();
  });
  return (socket) => (open.push(socket), socket);
}

type ClientOptions = Partial<ManagerOptions & SocketOptions>;

/** A real socket.io-client, not yet connected. */
export function client(server: TestServer, opts: ClientOptions = {}): Client {
  return io(server.url, {
    path: server.config.wsPath,
    forceNew: true,
    reconnection: false,
    autoConnect: false,
    transports: ['websocket'],
    ...opts,
  });
}

/** Connects and resolves with the `authenticated` payload, or rejects with the `connect_error`. */
export function connect(socket: Client): Promise<ServerPayload<'authenticated'>> {
  return new Promise((resolve, reject) => {
    socket.once('authenticated', resolve);
    socket.once('connect_error', reject);
    socket.connect();
  });
}

/** Connects a user (a token for `sub`) and waits until it is authenticated and has its initial unread count. */
export async function connectAs(server: TestServer, sub: string, opts: ClientOptions = {}): Promise<Client> {
  const socket = client(server, { auth: { token: await sign({ sub, email: `${sub}@example.com` }) }, ...opts });
  const count = next(socket, 'notification:unread_count');
  await connect(socket);
  await count;
  return socket;
}

/** Resolves with the next payload of `event`, or rejects after `ms`. */
export function next<E extends ServerEventName>(socket: Client, event: E, ms = 3000): Promise<ServerPayload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms}ms`)), ms);
    (socket as unknown as Socket).once(event as string, (payload: ServerPayload<E>) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/** Collects every payload of `event` until read. */
export function collect<E extends ServerEventName>(socket: Client, event: E): ServerPayload<E>[] {
  const seen: ServerPayload<E>[] = [];
  (socket as unknown as Socket).on(event as string, (payload: ServerPayload<E>) => seen.push(payload));
  return seen;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** JSON over fetch with an optional bearer token. */
export async function http(
  server: TestServer,
  method: string,
  path: string,
  { token, body, headers }: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
