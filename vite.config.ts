/// <reference types="vitest/config" />
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// `vite build` builds the library to dist/ (ESM; types come from tsc). `--mode demo` serves or
// builds the demo page, which imports 'resilient-peer' exactly as an app would.
export default defineConfig(({ mode }) => {
  if (mode === 'demo') {
    return {
      root: resolve(import.meta.dirname, 'demo'),
      resolve: { alias: { 'resilient-peer': resolve(import.meta.dirname, 'src/index.ts') } },
      build: { outDir: resolve(import.meta.dirname, 'dist-demo'), emptyOutDir: true },
    };
  }
  return {
    build: {
      target: 'es2022',
      sourcemap: true,
      lib: {
        entry: resolve(import.meta.dirname, 'src/index.ts'),
        formats: ['es'],
        fileName: () => 'resilient-peer.js',
      },
      rollupOptions: { external: ['eventemitter3'] },
    },
    test: { include: ['src/**/*.test.ts', 'relay/**/*.test.ts', 'bench/**/*.test.ts'] },
  };
});
