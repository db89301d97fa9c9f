// @ts-check
// The test and demo web server: serves the repo read-only over HTTP with the signaling relay at
// /signal. `node scripts/serve.mjs [--port 4317] [--host 127.0.0.1] [--root DIR] [--test-hooks]`.

import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { attachTestRelay } from '../dist/relay/testing.js';
import { attachAppSignaling } from '../e2e/netns/app-signaling.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4317' },
    host: { type: 'string', default: '127.0.0.1' },
    root: { type: 'string', default: resolve(import.meta.dirname, '..') },
    'test-hooks': { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Expected --port to be an integer 0-65535, got ${values.port}.`);
  process.exit(2);
}
const root = await realpath(values.root);
const testHooks = values['test-hooks'] || process.env.RP_TEST_HOOKS === '1';

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/** @param {import('node:http').ServerResponse} res @param {number} status @param {string} text */
function reply(res, status, text) {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(`${text}\n`);
}

/** Resolves a URL path to a file under root, or null; hidden segments (.git, .env) stay hidden. */
async function locate(/** @type {string} */ pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const segments = decoded.split(/[/\\]/).filter(Boolean);
  if (decoded.includes('\0') || segments.some((s) => s.startsWith('.'))) return null;
  try {
    let file = await realpath(join(root, ...segments));
    // realpath also catches a symlink that points out of the root.
    if (file !== root && !file.startsWith(root + sep)) return null;
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    const info = await stat(file);
    return info.isFile() ? { file, size: info.size } : null;
  } catch {
    return null;
  }
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://serve.invalid');
  if (url.pathname === '/healthz') {
    reply(res, 200, 'ok');
    return;
  }
  if (url.pathname === '/signal') {
    // WebSocketSignaling's reachability probes (HEAD): any answer will do; 204 keeps the
    // browser console free of "Failed to load resource" lines.
    res.writeHead(req.method === 'HEAD' ? 204 : 426, { 'cache-control': 'no-store' });
    res.end();
    return;
  }
  if (url.pathname.startsWith('/__relay/')) {
    if (!testHooks) {
      reply(res, 404, 'test hooks are off (pass --test-hooks)');
      return;
    }
    if (req.method !== 'POST') {
      reply(res, 405, 'POST only');
      return;
    }
    if (url.pathname === '/__relay/reset') {
      relay.reset();
      appSignaling.reset();
      reply(res, 200, 'reset');
      return;
    }
    const id = url.searchParams.get('id');
    const on = url.searchParams.get('on');
    if (url.pathname === '/__relay/silent' && id && (on === '1' || on === '0')) {
      relay.setSilent(id, on === '1');
      reply(res, 200, `silent ${id} ${on}`);
      return;
    }
    reply(res, 400, 'expected POST /__relay/reset or /__relay/silent?id=X&on=1|0');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    reply(res, 405, 'read-only: GET and HEAD only');
    return;
  }
  void locate(url.pathname).then((found) => {
    if (!found) {
      reply(res, 404, 'not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(found.file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': found.size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(found.file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
});

const relay = attachTestRelay(server, { path: '/signal' });
// The signaling an app brings along, for the bring-your-own-signaling recipes.
const appSignaling = attachAppSignaling(server);
// No other WebSocket lives here: refuse upgrades nobody took rather than leave them hanging.
const UPGRADE_PATHS = /^\/(signal|app-ws|socket\.io\/)/;
server.on('upgrade', (req, socket) => {
  if (!UPGRADE_PATHS.test(new URL(req.url ?? '/', 'http://serve.invalid').pathname)) {
    socket.destroy();
  }
});

server.listen(port, values.host, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`listening on http://${values.host}:${bound}${testHooks ? ' (test hooks on)' : ''}`);
});

function stop() {
  void Promise.all([relay.close(), appSignaling.close()]).then(() => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
