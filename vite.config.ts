/// <reference types="vitest/config" />
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { attachRelay } from './src/relay/relay.js';

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
  // `--mode relay`: the Node relay (`resilient-peer/relay`) and the test server's variant of it.
  if (mode === 'relay') {
    return {
      build: {
        target: 'node20',
        emptyOutDir: false,
        minify: false,
        lib: {
          entry: {
            // Beside their .d.ts files (tsc writes dist/relay/*.d.ts), so both resolve together.
            'relay/relay': resolve(import.meta.dirname, 'src/relay/relay.ts'),
            'relay/testing': resolve(import.meta.dirname, 'src/relay/testing.ts'),
          },
          formats: ['es'],
          fileName: (_format, name) => `${name}.js`,
        },
        rollupOptions: { external: ['ws', /^node:/] },
      },
    };
  }
  // `--mode bundle`: one minified file with eventemitter3 inside, what a browser app ships;
  // the test pages load it and `npm run size` weighs it.
  const bundle = mode === 'bundle';
  return {
    build: {
      target: 'es2022',
      // Maps without the sources inlined: the package ships dist/, not a second copy of src/.
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
    test: {
      include: ['test/unit/**/*.test.ts', 'bench/**/*.test.ts'],
      coverage: {
        provider: 'v8',
        include: ['src/**/*.ts'],
        reporter: ['text-summary', 'text'],
        thresholds: { lines: 90 },
      },
    },
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
  // WebSocketSignaling probes the relay with HEAD requests while reconnecting: answer them, or
  // Vite's 404 fills the browser console.
  const answerProbes = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (req.method === 'HEAD' && req.url?.split('?')[0] === '/signal') {
      res.writeHead(204, { 'cache-control': 'no-store' });
      res.end();
      return;
    }
    next();
  };
  return {
    name: 'resilient-peer-demo-relay',
    configureServer(server) {
      server.middlewares.use(answerProbes);
      attach(server.httpServer, (message) => {
        server.config.logger.info(message);
      });
    },
    configurePreviewServer(server) {
      server.middlewares.use(answerProbes);
      attach(server.httpServer, (message) => {
        server.config.logger.info(message);
      });
    },
  };
}
