import { defineConfig } from 'vitest/config';

// The browser suite drives the built server and the built page; `pnpm build` comes first.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
