import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Proves the published artefact works where the workspace is not: packed, installed, typechecked, run.
const pkgDir = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'contracts-pack-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('npm pack', () => {
  it('installs into an empty TypeScript project and typechecks a typed socket.io-client', () => {
    // As built (turbo builds it first): no prepack rebuild under the client's and react's pack tests.
    expect(existsSync(join(pkgDir, 'dist/index.js')), 'build the package first').toBe(true);
    run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], pkgDir);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();

    const app = join(work, 'app');
    run('mkdir', ['-p', app], work);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        join(work, tarball!),
        'zod@4',
        'socket.io-client@4',
        'typescript@6.0',
      ],
      app,
    );
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
    writeFileSync(
      join(app, 'index.ts'),
      `import { io, type Socket } from 'socket.io-client';
import { ServerEvent, routes, serverToClientSchemas, type RouteResponse, type ServerToClientEvents, type ClientToServerEvents } from '@realtime/contracts';
import { renderDocsPage } from '@realtime/contracts/docs';
const page: RouteResponse<typeof routes.listNotifications> | undefined = undefined; void page;
const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io('http://127.0.0.1:1', { autoConnect: false });
socket.on(ServerEvent.NotificationNew, ({ notification }) => { const seq: number = notification.seq; void seq; });
socket.emit('notification:mark_read', { notificationId: 'x' }, (res) => { if (!res.ok) { const c: string = res.error.code; void c; } });
// @ts-expect-error unknown event
socket.on('nope', () => {});
console.log(serverToClientSchemas['xp:gained'].safeParse({ amount: 1, source: 'pack', totalXp: 1 }).success);
console.log(renderDocsPage().includes('<code>notification:new</code>'), routes.createNotification.path);
`,
    );
    writeFileSync(
      join(app, 'require.cjs'),
      `const c = require('@realtime/contracts'); const d = require('@realtime/contracts/docs');
console.log(c.ServerEvent.XpGained, typeof c.notificationSchema.parse, d.renderDocuments()['openapi.yaml'].startsWith('openapi: "3.1.0"'));`,
    );
    run(join(app, 'node_modules/.bin/tsc'), ['-p', '.'], app);
    expect(run('node', ['require.cjs'], app).trim()).toBe('xp:gained function true');
    run(join(app, 'node_modules/.bin/tsc'), ['-p', '.', '--noEmit', 'false', '--outDir', 'out'], app);
    expect(run('node', ['out/index.js'], app).trim()).toBe('true\ntrue /api/notifications');
  });
});
