// @ts-check
// Library-free network probes that the harness runs inside a namespace (`ip netns exec NS node
// e2e/netns/probe.mjs MODE ...`): a STUN Binding request (RFC 8489) that reports the mapped
// address a NAT gave us, and one peer's half of an observation (a UDP hole punch between the
// peers, plus what else works from here). Plain Node, no dependencies; one process per peer
// keeps an observation fast on 2 cores.
//
//   stun    --server IP:PORT [--server ...] [--transport udp|tcp] [--bind IP] [--port N] [--timeout-ms N]
//           prints one JSON array: the mapped "IP:PORT" per server, or null when none answered.
//   observe --stun IP:PORT --http URL [--bind IP] [--port N] [--duration-ms N] [--timeout-ms N]
//           prints {"mapped": ...} (the punch socket's mapping, from the STUN server), then reads
//           one line {"peer": "IP:PORT"|null} from stdin. Then, at once: sends to that peer from
//           the punch socket every 50 ms for the duration (less once the peer got through); GETs
//           the URL; asks the STUN server from fresh sockets over UDP and TCP. Prints
//           {"received", "http", "stunUdp", "stunTcp"}.

import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { addressOf, attribute, ATTR, endpoint, METHOD, parse, request } from './stun-codec.mjs';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    server: { type: 'string', multiple: true, default: [] },
    stun: { type: 'string' },
    http: { type: 'string' },
    transport: { type: 'string', default: 'udp' },
    bind: { type: 'string' },
    port: { type: 'string', default: '0' },
    'timeout-ms': { type: 'string', default: '1000' },
    'duration-ms': { type: 'string', default: '1000' },
  },
});

/**
 * The mapped address in a Binding success response to `sent`, or null if `data` is not one.
 * @param {Buffer} data @param {Buffer} sent
 */
function mappedAddress(data, sent) {
  const message = parse(data);
  if (message?.method !== METHOD.binding || message.cls !== 'success') return null;
  if (!message.transactionId.equals(sent.subarray(8, 20))) return null;
  return (
    addressOf(attribute(message, ATTR.xorMappedAddress), true) ??
    addressOf(attribute(message, ATTR.mappedAddress), false)
  );
}

/**
 * Asks every server over one UDP socket, retransmitting every 100 ms until each answered.
 * @param {import('node:dgram').Socket} socket @param {string[]} servers @param {number} timeoutMs
 * @returns {Promise<(string | null)[]>}
 */
function stunOverUdp(socket, servers, timeoutMs) {
  const requests = servers.map(() => request(METHOD.binding));
  /** @type {(string | null)[]} */
  const mapped = servers.map(() => null);
  return new Promise((resolve) => {
    const done = () => {
      clearInterval(resend);
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(mapped);
    };
    /** @param {Buffer} message */
    const onMessage = (message) => {
      requests.forEach((sent, i) => {
        mapped[i] ??= mappedAddress(message, sent);
      });
      if (mapped.every((m) => m !== null)) done();
    };
    const send = () => {
      servers.forEach((server, i) => {
        if (mapped[i] !== null) return;
        const { host, port } = endpoint(server);
        socket.send(requests[i] ?? Buffer.alloc(0), port, host, () => {
          // A send error (no route, address gone) is the same as no answer.
        });
      });
    };
    socket.on('message', onMessage);
    const resend = setInterval(send, 100);
    const timer = setTimeout(done, timeoutMs);
    send();
  });
}

/**
 * One TCP connection per server; STUN over TCP needs no extra framing (RFC 8489 §6.2.2).
 * `useLocal` sends from --bind/--port, otherwise from any local address.
 * @param {string} server @param {number} timeoutMs @param {boolean} useLocal
 * @returns {Promise<string | null>}
 */
function stunOverTcp(server, timeoutMs, useLocal = true) {
  const { host, port } = endpoint(server);
  const sent = request(METHOD.binding);
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      ...(useLocal && values.bind ? { localAddress: values.bind } : {}),
      ...(useLocal && Number(values.port) > 0 ? { localPort: Number(values.port) } : {}),
    });
    let received = Buffer.alloc(0);
    /** @param {string | null} result */
    const finish = (result) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish(null);
    }, timeoutMs);
    socket.on('connect', () => socket.write(sent));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 20 && received.length >= 20 + received.readUInt16BE(2)) {
        finish(mappedAddress(received, sent));
      }
    });
    socket.on('error', () => {
      finish(null);
    });
  });
}

/**
 * A UDP socket bound to `address`:`port` (any when undefined / 0).
 * @param {string | undefined} address @param {number} port
 * @returns {Promise<import('node:dgram').Socket>}
 */
function udpSocket(address, port) {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, ...(address ? { address } : {}) }, () => {
      resolve(socket);
    });
  });
}

async function stun() {
  const timeoutMs = Number(values['timeout-ms']);
  const servers = values.server;
  if (values.transport === 'tcp') {
    return Promise.all(servers.map((server) => stunOverTcp(server, timeoutMs)));
  }
  const socket = await udpSocket(values.bind, Number(values.port));
  try {
    return await stunOverUdp(socket, servers, timeoutMs);
  } finally {
    socket.close();
  }
}

/**
 * The punch socket's half of a hole punch: whether anything came from `peer`. Sends every 50 ms
 * for `durationMs` and listens 400 ms longer (the other process may have started a little
 * later), but ends 250 ms after the first packet from `peer`: that packet shows the peer's NAT
 * is open towards us, so what we send from then on gets through, and 5 more packets are plenty.
 */
async function holePunch(
  /** @type {import('node:dgram').Socket} */ socket,
  /** @type {string | null} */ peer,
  /** @type {number} */ durationMs,
) {
  let received = false;
  /** @type {NodeJS.Timeout | undefined} */
  let sender;
  await new Promise((resolve) => {
    const end = setTimeout(resolve, durationMs + 400);
    socket.on('message', (_, from) => {
      if (received || !peer || `${from.address}:${from.port}` !== peer) return;
      received = true;
      clearTimeout(end);
      setTimeout(resolve, 250);
    });
    if (peer) {
      const { host, port } = endpoint(peer);
      const started = Date.now();
      sender = setInterval(() => {
        if (Date.now() - started >= durationMs && !received) {
          clearInterval(sender);
          return;
        }
        socket.send('punch', port, host, () => {
          // Errors (no route, address gone) just mean this direction does not work.
        });
      }, 50);
    }
  });
  clearInterval(sender);
  return received;
}

/** Whether `url` answers 2xx within `timeoutMs`. */
async function httpAnswers(/** @type {string} */ url, /** @type {number} */ timeoutMs) {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })).ok;
  } catch {
    return false;
  }
}

async function observe() {
  const server = values.stun ?? '';
  const timeoutMs = Number(values['timeout-ms']);
  const socket = await udpSocket(values.bind, Number(values.port));
  const [mapped] = await stunOverUdp(socket, [server], timeoutMs);
  console.log(JSON.stringify({ mapped: mapped ?? null }));
  const lines = createInterface({ input: process.stdin });
  /** @type {string} */
  const line = await new Promise((resolve) => lines.once('line', resolve));
  lines.close();
  const parsed = /** @type {unknown} */ (JSON.parse(line));
  const peer =
    typeof parsed === 'object' && parsed !== null && 'peer' in parsed
      ? typeof parsed.peer === 'string'
        ? parsed.peer
        : null
      : null;
  const fresh = await udpSocket(undefined, 0);
  const [received, http, [stunUdp], stunTcp] = await Promise.all([
    holePunch(socket, peer, Number(values['duration-ms'])),
    httpAnswers(values.http ?? '', timeoutMs),
    stunOverUdp(fresh, [server], timeoutMs),
    stunOverTcp(server, timeoutMs, false),
  ]);
  socket.close();
  fresh.close();
  return { received, http, stunUdp: stunUdp !== null, stunTcp: stunTcp !== null };
}

const mode = positionals[0];
if (mode === 'stun') console.log(JSON.stringify(await stun()));
else if (mode === 'observe') console.log(JSON.stringify(await observe()));
else {
  console.error('usage: probe.mjs stun|observe [options] (see the comment at the top)');
  process.exit(2);
}
// stdin (observe) would keep the process alive.
process.exit(0);
