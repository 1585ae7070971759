import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { SignJWT } from 'jose';

const SECRET = 'react-hooks-e2e-secret-0123456789abcdef';

// The server's package main is dist/main.js: the built server, as an operator starts it.
const MAIN = createRequire(import.meta.url).resolve('@realtime/server');

export interface Gateway {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A request from the test itself, over node:http: the DOM environment's `fetch` is the page's, bound by its origin. */
function send(
  url: string,
  { method = 'GET', body, token }: { method?: string; body?: unknown; token?: string } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await send(`${url}/ready`)).status === 200;
  } catch {
    return false;
  }
}

/** `node apps/server/dist/main.js` on 127.0.0.1, a free port and an in-memory store, once `/ready` answers 200. */
export async function startGateway(): Promise<Gateway> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the server first (pnpm build)`);
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      DATA_DIR: 'memory://',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  child.stdout!.on('data', (d: Buffer) => lines.push(String(d)));
  child.stderr!.on('data', (d: Buffer) => lines.push(String(d)));
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!(await ready(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the gateway did not become ready:\n${lines.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** An HS256 token signed with the gateway's secret, as an identity provider would issue it. */
export function sign(sub: string, role: 'user' | 'service' = 'user'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: `${sub}@example.com`, role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(SECRET));
}

/** Calls the gateway as a backend would, with a service token. */
async function call(url: string, path: string, method = 'GET', body?: unknown): Promise<unknown> {
  const res = await send(`${url}${path}`, { method, body, token: await sign('backend', 'service') });
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
  return JSON.parse(res.text);
}

/** Stores and delivers one notification to `userId`; resolves with its id. */
export async function publish(url: string, userId: string, title: string): Promise<string> {
  const body = { userId, title, message: 'from the hooks test' };
  const { notifications } = (await call(url, '/api/notifications', 'POST', body)) as {
    notifications: { id: string }[];
  };
  return notifications[0]!.id;
}

/** How many sockets the gateway holds for `userId`, as `GET /api/presence/:userId` counts them. */
export async function connections(url: string, userId: string): Promise<number> {
  return ((await call(url, `/api/presence/${encodeURIComponent(userId)}`)) as { connections: number }).connections;
}
