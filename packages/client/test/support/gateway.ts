import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { Notification, Role } from '@realtime/contracts';
import { SignJWT } from 'jose';

export const SECRET = 'client-sdk-e2e-secret-0123456789abcdef';

// The server's package main is dist/main.js: the built server, as an operator starts it.
const MAIN = createRequire(import.meta.url).resolve('@realtime/server');

export interface Gateway {
  url: string;
  child: ChildProcess;
  /** Every line the server printed so far. */
  lines: string[];
  stop(): Promise<void>;
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/ready`)).status === 200;
  } catch {
    return false;
  }
}

/** `node apps/server/dist/main.js` on 127.0.0.1 and a free port, once `/ready` answers 200. */
export async function startGateway(env: Record<string, string> = {}): Promise<Gateway> {
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
      ...(env.DATABASE_URL ? {} : { DATA_DIR: 'memory://' }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  child.stdout!.on('data', (d: Buffer) => lines.push(...String(d).split('\n').filter(Boolean)));
  child.stderr!.on('data', (d: Buffer) => lines.push(`stderr: ${String(d)}`));
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!(await ready(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the gateway did not become ready:\n${lines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    lines,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Signs a token as the identity provider would: HS256 with the gateway's secret. */
export async function sign(
  sub: string,
  { role = 'user', ttl = 3600, iat }: { role?: Role; ttl?: number; iat?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: `${sub}@example.com`, role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(iat ?? now)
    .setExpirationTime((iat ?? now) + ttl)
    .sign(new TextEncoder().encode(SECRET));
}

/** Stores and delivers `count` notifications to `userId`, one request each (so one `seq` each), in order. */
export async function publish(url: string, userId: string, count = 1, title = 'n'): Promise<Notification[]> {
  const token = await sign('backend', { role: 'service' });
  const created: Notification[] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${url}/api/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ userId, title: `${title} ${i + 1}`, message: 'e2e' }),
    });
    if (res.status !== 201) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
    created.push(...((await res.json()) as { notifications: Notification[] }).notifications);
  }
  return created;
}

/** A user id of its own for each test, so tests sharing a server never see each other's notifications. */
let users = 0;
export const uniqueUser = (name: string) => `${name}-${process.pid}-${++users}`;
