// @ts-check
// A minimal TURN client (RFC 8656 over UDP, long-term credentials) that the harness runs inside a
// peer namespace to see exactly what a TURN server answers: `node e2e/netns/turn-probe.mjs
// --server IP:PORT --username U --password P`. Reads one JSON command per line from stdin and
// prints one JSON result per line:
//   {"op":"allocate"}            a new allocation from a new socket (401 challenge, then the
//                                 authenticated request) → {"code", "relayed", "lifetime"}
//   {"op":"refresh"}             Refresh of the last allocation (its nonce; a 438 is retried
//                                 once with the new one) → {"code", "lifetime"}
//   {"op":"permission","peer":IP} CreatePermission on the last allocation → {"code"}
//   {"op":"release"}             Refresh with LIFETIME 0: deletes the last allocation → {"code"}
// "code" is 200 for a success response, the ERROR-CODE otherwise, 0 when nothing answered.

import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  addressOf,
  attribute,
  ATTR,
  endpoint,
  errorCode,
  longTermKey,
  METHOD,
  parse,
  request,
  xorAddress,
} from './stun-codec.mjs';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: '' },
    username: { type: 'string', default: '' },
    password: { type: 'string', default: '' },
    'timeout-ms': { type: 'string', default: '1000' },
  },
});
const server = endpoint(values.server);
const timeoutMs = Number(values['timeout-ms']);

/** @typedef {{ socket: import('node:dgram').Socket, realm: Buffer, nonce: Buffer }} Allocation */

/**
 * Sends `data` from `socket` and resolves with the response to it (same transaction ID),
 * retransmitting every 200 ms; null after the timeout.
 * @param {import('node:dgram').Socket} socket @param {Buffer} data
 * @returns {Promise<import('./stun-codec.mjs').Message | null>}
 */
function transact(socket, data) {
  const id = data.subarray(8, 20);
  return new Promise((resolve) => {
    /** @param {import('./stun-codec.mjs').Message | null} result */
    const done = (result) => {
      clearInterval(resend);
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(result);
    };
    /** @param {Buffer} reply */
    const onMessage = (reply) => {
      const message = parse(reply);
      if (message?.transactionId.equals(id)) done(message);
    };
    const send = () => {
      socket.send(data, server.port, server.host, () => {
        // A send error is the same as no answer.
      });
    };
    socket.on('message', onMessage);
    const resend = setInterval(send, 200);
    const timer = setTimeout(() => {
      done(null);
    }, timeoutMs);
    send();
  });
}

/** @param {import('./stun-codec.mjs').Message | null} message */
const codeOf = (message) =>
  message === null ? 0 : message.cls === 'success' ? 200 : errorCode(message);

/** @param {import('./stun-codec.mjs').Message | null} message */
const lifetimeOf = (message) => {
  const value = message ? attribute(message, ATTR.lifetime) : undefined;
  return value && value.length >= 4 ? value.readUInt32BE(0) : null;
};

const requestedUdp = { type: ATTR.requestedTransport, value: Buffer.from([17, 0, 0, 0]) };
/** @param {Buffer} realm @param {Buffer} nonce */
const credentials = (realm, nonce) => [
  { type: ATTR.username, value: Buffer.from(values.username) },
  { type: ATTR.realm, value: realm },
  { type: ATTR.nonce, value: nonce },
];
/** @param {Buffer} realm */
const keyFor = (realm) => longTermKey(values.username, realm.toString(), values.password);

/** @type {Allocation | undefined} */
let current;

async function allocate() {
  current?.socket.close();
  const socket = createSocket('udp4');
  await new Promise((resolve) =>
    socket.bind(0, () => {
      resolve(undefined);
    }),
  );
  const challenge = await transact(socket, request(METHOD.allocate, [requestedUdp]));
  const realm = challenge ? attribute(challenge, ATTR.realm) : undefined;
  const nonce = challenge ? attribute(challenge, ATTR.nonce) : undefined;
  if (!challenge || codeOf(challenge) !== 401 || !realm || !nonce) {
    return { code: codeOf(challenge), stage: 'challenge' };
  }
  current = { socket, realm, nonce };
  const attrs = [requestedUdp, ...credentials(realm, nonce)];
  const reply = await transact(socket, request(METHOD.allocate, attrs, keyFor(realm)));
  return {
    code: codeOf(reply),
    relayed: reply ? addressOf(attribute(reply, ATTR.xorRelayedAddress), true) : null,
    lifetime: lifetimeOf(reply),
  };
}

/**
 * An authenticated request on the last allocation; a 438 (stale nonce) is retried once with the
 * nonce it carries, as a client must (RFC 8489 §9.2.5).
 * @param {number} method @param {{ type: number, value: Buffer }[]} attrs
 */
async function onAllocation(method, attrs) {
  const allocation = current;
  if (!allocation) return { code: 0, stage: 'no allocation' };
  for (let attempt = 0; ; attempt++) {
    const { socket, realm, nonce } = allocation;
    const message = request(method, [...attrs, ...credentials(realm, nonce)], keyFor(realm));
    const reply = await transact(socket, message);
    const fresh = reply ? attribute(reply, ATTR.nonce) : undefined;
    if (codeOf(reply) === 438 && fresh && attempt === 0) {
      allocation.nonce = fresh;
      continue;
    }
    return { code: codeOf(reply), lifetime: lifetimeOf(reply), retried: attempt > 0 };
  }
}

/** @param {number} seconds */
const lifetime = (seconds) => {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(seconds, 0);
  return { type: ATTR.lifetime, value };
};

for await (const line of createInterface({ input: process.stdin })) {
  const command = /** @type {unknown} */ (JSON.parse(line));
  const op = typeof command === 'object' && command !== null && 'op' in command ? command.op : '';
  const peer =
    typeof command === 'object' && command !== null && 'peer' in command
      ? String(command.peer)
      : '';
  let result;
  if (op === 'allocate') result = await allocate();
  else if (op === 'refresh') {
    result = await onAllocation(METHOD.refresh, [lifetime(600)]);
  } else if (op === 'release') {
    result = await onAllocation(METHOD.refresh, [lifetime(0)]);
  } else if (op === 'permission') {
    const value = xorAddress(`${peer}:0`);
    result = await onAllocation(METHOD.createPermission, [{ type: ATTR.xorPeerAddress, value }]);
  } else result = { code: 0, stage: `unknown op ${String(op)}` };
  console.log(JSON.stringify({ op, ...result }));
}
current?.socket.close();
