import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { SECRET } from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  url: string;
  /** Every line the server printed so far (stderr lines prefixed). */
  lines: string[];
  exited: Promise<number | null>;
}

/**
 * The built server, started as an operator would (`node dist/main.js`), once `/ready` answers 200.
 * The port is picked at random: one another test (or a client connection) took meanwhile is
 * refused with EADDRINUSE, and the server is started again on another.
 */
export async function spawnServer(env: Record<string, string>): Promise<Spawned> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the server first (pnpm build)`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOn(20_000 + Math.floor(Math.random() * 20_000), env);
    } catch (err) {
      if (attempt === 5 || !(err instanceof PortTaken)) throw err;
    }
  }
}

class PortTaken extends Error {}

async function spawnOn(port: number, env: Record<string, string>): Promise<Spawned> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_SECRET: SECRET,
      ...(process.env.NODE_EXTRA_CA_CERTS && { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (rest + String(d)).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (d: Buffer) => lines.push(`stderr: ${String(d)}`));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while ((await probe(url)) !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const message = `server not ready:\n${lines.join('\n')}`;
      throw lines.some((l) => l.includes('EADDRINUSE')) ? new PortTaken(message) : new Error(message);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, lines, exited };
}

/** GET /ready on a connection of its own: its status, or 'refused' once nothing listens. */
export function probe(url: string): Promise<number | 'refused'> {
  return new Promise((resolve) => {
    get(`${url}/ready`, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    }).once('error', () => resolve('refused'));
  });
}
