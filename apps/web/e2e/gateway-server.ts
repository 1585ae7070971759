import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER_MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
export const WEB_DIST = fileURLToPath(new URL('../dist', import.meta.url));

// Settings a developer or CI may have exported that would point the server away from a fresh embedded store.
const INHERITED_BUT_IGNORED = [
  'DATABASE_URL',
  'REDIS_URL',
  'PORT',
  'WS_PORT',
  'WS_PATH',
  'CORS_ORIGIN',
  'METRICS_TOKEN',
  // Email: without SMTP_URL the server keeps what it sends in the development mailbox the page shows.
  'SMTP_URL',
  'EMAIL_DELAY_SECONDS',
  'EMAIL_DIGEST_WINDOW_SECONDS',
  'EMAIL_DIGEST_MAX_ITEMS',
  'EMAIL_TYPE_OPTIONS',
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface GatewayServer {
  url: string;
  /** Everything the server printed, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts the built gateway on a free port with an empty store, and waits until `/ready` answers 200. `settings`
 * adds to its environment, e.g. `EMAIL_DELAY_SECONDS` for a suite that watches email.
 */
export async function startGateway(settings: Record<string, string> = {}): Promise<GatewayServer> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'realtime-web-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of INHERITED_BUT_IGNORED) delete env[key];
  Object.assign(env, {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: dataDir,
    WEB_DIST_DIR: WEB_DIST,
    DEV_TOKENS: 'true',
    ...settings,
  });

  const child: ChildProcess = spawn(process.execPath, [SERVER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${url}/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { url, output: () => output, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`the gateway did not become ready:\n${output}`);
}

/** Why the suite cannot run here, or null when it can. */
/** The browser the suites drive, and where they save their screenshots. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RESULTS = fileURLToPath(new URL('../test-results/', import.meta.url));

/**
 * Why a browser suite cannot run here (null: it can), said once per file: in CI a missing prerequisite
 * is an error, elsewhere the suite is skipped with the reason.
 */
export function browserSuiteMissing(): string | null {
  const missing = missingPrerequisite(CHROMIUM);
  if (missing && process.env.CI) throw new Error(`the browser suite cannot run in CI: ${missing}`);
  if (missing) console.warn(`skipping the browser suite: ${missing}`);
  return missing;
}

function missingPrerequisite(chromiumPath: string): string | null {
  if (!existsSync(chromiumPath))
    return `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (!existsSync(SERVER_MAIN)) return `no server build at ${SERVER_MAIN} (run pnpm build first)`;
  if (!existsSync(join(WEB_DIST, 'index.html'))) return `no web build in ${WEB_DIST} (run pnpm build first)`;
  return null;
}
