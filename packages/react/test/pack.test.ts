// @vitest-environment node
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Proves the published artefacts work where the workspace is not: packed, installed, typechecked, run.
const pkgDir = resolve(import.meta.dirname, '..');
const clientDir = resolve(pkgDir, '../client');
const contractsDir = resolve(pkgDir, '../contracts');
const work = mkdtempSync(join(tmpdir(), 'react-pack-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The first `tsx` block of a README: the example a reader copies. */
function example(readme: string): string {
  const block = /```tsx\n([\s\S]*?)```/.exec(readFileSync(readme, 'utf8'));
  if (!block) throw new Error(`${readme} has no tsx example`);
  return block[1]!;
}

const readmeExample = example(join(pkgDir, 'README.md'));
// What the example leaves to the reader's app.
const consumer = `declare const auth: { token(): Promise<string> };
declare function toast(text: string): void;
${readmeExample}`;

// The example's own component, rendered on the server (no effects, so no connection).
const esmRun = `import { renderToString } from 'react-dom/server';
import { createElement } from 'react';
import { App } from './out/index.js';
console.log(renderToString(createElement(App)));
`;

// The CommonJS declarations, through \`require\` resolution.
const cjsTypes = `import hooks = require('@realtime/react');
const provider: typeof hooks.RealtimeProvider = hooks.RealtimeProvider;
type Feed = ReturnType<typeof hooks.useNotifications>;
const status: Feed['status'] = 'idle';
void provider;
void status;
`;

const cjsRun = `const { createElement } = require('react');
const { renderToString } = require('react-dom/server');
const { createRealtimeClient } = require('@realtime/client');
const { RealtimeProvider, useConnectionState, useUnreadCount, useNotifications } = require('@realtime/react');
const client = createRealtimeClient({ url: 'http://127.0.0.1:1', getToken: () => 'token' });
function Probe() {
  const feed = useNotifications();
  return [useConnectionState(), String(useUnreadCount()), feed.status, feed.items.length].join(' ');
}
console.log(renderToString(createElement(RealtimeProvider, { client }, createElement(Probe))));
void client.close();
`;

describe('pack', () => {
  it('the root README shows the same example', () => {
    expect(readFileSync(resolve(pkgDir, '../../README.md'), 'utf8')).toContain(readmeExample);
  });

  it("installs contracts, client and react into an empty project, where the README's example typechecks and runs as ESM and CJS", () => {
    for (const dir of [contractsDir, clientDir, pkgDir])
      expect(existsSync(join(dir, 'dist/index.js')), `build ${dir} first`).toBe(true);
    // pnpm pack turns `workspace:^` and `catalog:` into versions a registry understands; npm pack would not.
    run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], contractsDir);
    for (const dir of [clientDir, pkgDir])
      run('pnpm', ['--config.ignore-scripts=true', 'pack', '--pack-destination', work], dir);
    const tarballs = ['realtime-contracts-0.1.0.tgz', 'realtime-client-0.1.0.tgz', 'realtime-react-0.1.0.tgz'].map(
      (t) => join(work, t),
    );
    for (const t of tarballs) expect(existsSync(t), t).toBe(true);
    const packed = JSON.parse(run('tar', ['-xzOf', tarballs[2]!, 'package/package.json'], work)) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    expect(packed.dependencies['@realtime/client']).toMatch(/^\^\d/);
    expect(packed.peerDependencies.react).toBeDefined();

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // The SDK comes with the hooks; react and zod are the consumer's, as peers.
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        ...tarballs,
        'zod@4',
        'react@19',
        'react-dom@19',
        '@types/react@19',
        '@types/react-dom@19',
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
          lib: ['es2022', 'dom'],
          jsx: 'react-jsx',
          noEmit: true,
          skipLibCheck: false,
        },
        include: ['index.tsx', 'check.cts'],
      }),
    );
    writeFileSync(join(app, 'index.tsx'), consumer);
    writeFileSync(join(app, 'check.cts'), cjsTypes);
    writeFileSync(join(app, 'run.mjs'), esmRun);
    writeFileSync(join(app, 'require.cjs'), cjsRun);

    const tsc = join(app, 'node_modules/.bin/tsc');
    run(tsc, ['-p', '.'], app);
    run(tsc, ['-p', '.', '--noEmit', 'false', '--outDir', 'out'], app);
    expect(run('node', ['run.mjs'], app).trim()).toBe('<ul title="disconnected, 0 unread"></ul>');
    expect(run('node', ['require.cjs'], app).trim()).toBe('disconnected null idle 0');
  });
});
