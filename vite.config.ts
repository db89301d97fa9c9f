/// <reference types="vitest/config" />
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { attachRelay } from './relay/relay.js';

// `vite build` builds the library to dist/ (ESM; types come from tsc). `--mode demo` serves or
// builds the demo page, which imports 'resilient-peer' exactly as an app would.
export default defineConfig(({ mode }) => {
  if (mode === 'demo') {
    return {
      root: resolve(import.meta.dirname, 'demo'),
      // Relative asset URLs, so the static build also works under a sub-path (e.g. /dist-demo/).
      base: './',
      resolve: { alias: { 'resilient-peer': resolve(import.meta.dirname, 'src/index.ts') } },
      build: { outDir: resolve(import.meta.dirname, 'dist-demo'), emptyOutDir: true },
      // `host: true` so a phone on the same network can join the call.
      server: { host: true, port: 5173 },
      preview: { host: true, port: 4173 },
      plugins: [signalingRelay()],
    };
  }
  // `--mode bundle`: one minified file with eventemitter3 inside, what a browser app ships;
  // the test pages load it and `npm run size` weighs it.
  const bundle = mode === 'bundle';
  return {
    build: {
      target: 'es2022',
      sourcemap: true,
      emptyOutDir: !bundle,
      minify: bundle,
      lib: {
        entry: resolve(import.meta.dirname, 'src/index.ts'),
        formats: ['es'],
        fileName: () => (bundle ? 'resilient-peer.bundle.js' : 'resilient-peer.js'),
      },
      rollupOptions: { external: bundle ? [] : ['eventemitter3'] },
    },
    test: { include: ['src/**/*.test.ts', 'relay/**/*.test.ts', 'bench/**/*.test.ts'] },
  };
});

/** Serves the reference relay at /signal on Vite's own HTTP server, so the demo is one process. */
function signalingRelay(): Plugin {
  const attach = (httpServer: unknown, log: (message: string) => void): void => {
    if (httpServer === null) return; // middleware mode: the host app owns the server
    // Vite's server is an http.Server, or an http2 server with HTTP/1 upgrades when `https` is
    // set; the relay only listens to its 'upgrade' event, which both emit.
    const relay = attachRelay(httpServer as Server, { path: '/signal' });
    (httpServer as Server).once('close', () => {
      void relay.close();
    });
    log('signaling relay: ws://<this host>/signal');
  };
  return {
    name: 'resilient-peer-demo-relay',
    configureServer(server) {
      attach(server.httpServer, (message) => {
        server.config.logger.info(message);
      });
    },
    configurePreviewServer(server) {
      attach(server.httpServer, (message) => {
        server.config.logger.info(message);
      });
    },
  };
}
