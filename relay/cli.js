#!/usr/bin/env node
// @ts-check
// Runs the signaling relay standalone: `resilient-peer-relay --port 8787 [--host 127.0.0.1]`
// (or `node relay/cli.js` in this repository, after `npm run build`). It serves only the
// WebSocket at /signal; a HEAD request (the client's reachability probe) gets 204, any other plain
// HTTP request 426.

import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { attachRelay } from '../dist/relay/relay.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Expected --port to be an integer 0-65535, got ${values.port}.`);
  process.exit(2);
}

const server = createServer((req, res) => {
  // HEAD is how WebSocketSignaling probes whether the relay can be reached while reconnecting.
  if (req.method === 'HEAD') {
    res.writeHead(204);
    res.end();
    return;
  }
  res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
  res.end('This is a WebSocket relay: connect to ws://HOST:PORT/signal?room=NAME&id=CLIENTID\n');
});
const relay = attachRelay(server);

server.listen(port, values.host, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`relay listening on ws://${values.host}:${bound}/signal`);
});

function stop() {
  void relay.close().then(() => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
