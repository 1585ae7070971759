import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  // tsup's declaration build still sets baseUrl, which TypeScript 6 deprecates.
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  clean: true,
  sourcemap: true,
  platform: 'neutral',
  target: 'es2022',
  // Hooks run on the client only: React Server Components frameworks must not render these on the server.
  banner: { js: "'use client';" },
});
