// Runs inside a peer namespace (`ip netns exec NS node bidi-bridge.mjs ws://127.0.0.1:PORT/session`)
// and carries one WebDriver BiDi connection over its stdio. Firefox's BiDi socket listens only on
// that namespace's loopback, which the test process in the root namespace has no route to, and
// Firefox offers no pipe transport for BiDi (puppeteer refuses `pipe` with Firefox).
// Framing: one JSON string literal per line each way, so a message's own newlines cannot split it.
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const url = process.argv[2];
if (!url) {
  console.error('usage: bidi-bridge.mjs ws://127.0.0.1:PORT/session');
  process.exit(2);
}

const socket = new WebSocket(url, { perMessageDeflate: false });
/** @type {string[]} Messages from stdin that arrived before the socket opened. */
const pending = [];

socket.on('open', () => {
  for (const message of pending.splice(0)) socket.send(message);
});
socket.on('message', (data) => {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(new Uint8Array(data));
  const text = bytes.toString('utf8');
  process.stdout.write(`${JSON.stringify(text)}\n`);
});
socket.on('close', () => process.exit(0));
socket.on('error', (error) => {
  console.error(`bidi-bridge: ${error.message}`);
  process.exit(1);
});

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const message = /** @type {unknown} */ (JSON.parse(line));
  if (typeof message !== 'string') return;
  if (socket.readyState === WebSocket.OPEN) socket.send(message);
  else pending.push(message);
});
// The harness closed its end: close the BiDi connection, which also ends this process.
lines.on('close', () => {
  socket.close();
});
