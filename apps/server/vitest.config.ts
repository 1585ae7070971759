import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    // Tests run against the contract's source, so no build is needed first.
    alias: {
      // The more specific entry first: an alias also matches the subpaths of its name.
      '@realtime/contracts/docs': fileURLToPath(new URL('../../packages/contracts/src/docs/index.ts', import.meta.url)),
      '@realtime/contracts': fileURLToPath(new URL('../../packages/contracts/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['reflect-metadata'],
    // Sets NODE_EXTRA_CA_CERTS for the push receiver's certificate. Node reads it only at process
    // start: forked workers start after the global setup and inherit it, worker threads would not.
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
