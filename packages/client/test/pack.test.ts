import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Proves the published artefacts work where the workspace is not: packed, installed, typechecked, run.
const pkgDir = resolve(import.meta.dirname, '..');
const contractsDir = resolve(pkgDir, '../contracts');
const work = mkdtempSync(join(tmpdir(), 'client-pack-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const consumer = `import { createFeedStore, createRealtimeClient, memoryStorage, type ConnectionState, type RealtimeClient } from '@realtime/client';
import { routes } from '@realtime/contracts';

const client: RealtimeClient = createRealtimeClient({ url: 'http://127.0.0.1:1', getToken: () => 'token', storage: memoryStorage() });
const state: ConnectionState = client.state;
client.on('notification', ({ notification, replayed }) => console.log(notification.seq, replayed));
client.on('notification:unread_count', ({ unreadCount, version }) => console.log(unreadCount, version));
// @ts-expect-error not an event
client.on('nope', () => undefined);
const feed = createFeedStore(client, { pageSize: 5 });
const page = await client.http.listNotifications({ query: { limit: 5 } });
if (page.ok) {
  const version: number = page.body.version;
  void version;
}
// @ts-expect-error a path parameter is required
void client.http.deleteNotification();
console.log(JSON.stringify({ state, feed: feed.getSnapshot().status, http: page.ok ? 'ok' : page.error.code, path: routes.listNotifications.path }));
feed.destroy();
await client.close();
`;

// The CommonJS declarations, through \`require\` resolution.
const cjsTypes = `import sdk = require('@realtime/client');
const storage: sdk.StorageAdapter = sdk.memoryStorage();
const state: sdk.ConnectionState = 'synced';
void storage;
void state;
`;

const cjsRun = `const { createRealtimeClient, createFeedStore, readToken } = require('@realtime/client');
const client = createRealtimeClient({ url: 'http://127.0.0.1:1', getToken: () => 'token' });
console.log(typeof createFeedStore, client.state, readToken('not-a-jwt'));
void client.close();
`;

describe('pack', () => {
  it('installs contracts and client into an empty TypeScript project, which typechecks and runs as ESM and CJS', () => {
    expect(existsSync(join(pkgDir, 'dist/index.js')), 'build the package first').toBe(true);
    // Both as built (turbo builds them before this test). pnpm packs the client: it turns `workspace:^` and
    // `catalog:` into the versions a registry understands, which npm pack leaves as they are.
    run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], contractsDir);
    run('pnpm', ['--config.ignore-scripts=true', 'pack', '--pack-destination', work], pkgDir);
    const tarballs = ['realtime-contracts-0.1.0.tgz', 'realtime-client-0.1.0.tgz'].map((t) => join(work, t));
    for (const t of tarballs) expect(existsSync(t), t).toBe(true);

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // socket.io-client comes with the client; zod is the consumer's, as a peer.
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, 'zod@4', 'typescript@6.0'], app);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: false,
        },
      }),
    );
    writeFileSync(join(app, 'index.ts'), consumer);
    writeFileSync(join(app, 'check.cts'), cjsTypes);
    writeFileSync(join(app, 'require.cjs'), cjsRun);

    const tsc = join(app, 'node_modules/.bin/tsc');
    run(tsc, ['-p', '.'], app);
    expect(run('node', ['require.cjs'], app).trim()).toBe('function disconnected null');
    run(tsc, ['-p', '.', '--noEmit', 'false', '--outDir', 'out'], app);
    expect(JSON.parse(run('node', ['out/index.js'], app).trim())).toEqual({
      state: 'disconnected',
      feed: 'idle',
      http: 'NETWORK_ERROR',
      path: '/api/notifications',
    });
  });
});
