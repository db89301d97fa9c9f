// Owns puppeteer's side of bidi-bridge.mjs: a ConnectionTransport over the bridge process's stdio
// (one JSON string literal per line each way), so puppeteer can drive a Firefox whose WebDriver
// BiDi socket exists only inside a peer namespace.

import type { ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ConnectionTransport } from 'puppeteer-core';

/** A transport that speaks through `bridge`'s stdin and stdout; closes when the bridge exits. */
export function bridgeTransport(
  bridge: ChildProcessByStdio<Writable, Readable, Readable>,
): ConnectionTransport {
  let stderr = '';
  bridge.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  // A write racing the bridge's exit fails with EPIPE; the exit itself is reported as onclose.
  bridge.stdin.on('error', () => undefined);
  const transport: ConnectionTransport = {
    send(message) {
      if (bridge.stdin.writable) bridge.stdin.write(`${JSON.stringify(message)}\n`);
    },
    close() {
      bridge.stdin.end();
    },
  };
  createInterface({ input: bridge.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as unknown;
    if (typeof message === 'string') transport.onmessage?.(message);
  });
  bridge.once('exit', (code) => {
    if (code !== 0 && stderr) console.error(`[rpt] bidi-bridge exited ${code}: ${stderr.trim()}`);
    transport.onclose?.();
  });
  return transport;
}
