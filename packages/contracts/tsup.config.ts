import { defineConfig } from 'tsup';

export default defineConfig({
  // The documents' renderer is an entry of its own, so the main entry stays light.
  entry: { index: 'src/index.ts', docs: 'src/docs/index.ts' },
  format: ['esm', 'cjs'],
  // tsup's declaration build still sets baseUrl, which TypeScript 6 deprecates.
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
