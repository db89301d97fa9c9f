// @ts-check
// The reference signaling relay: pairs two peers per room over WebSocket and forwards their
// signals. It keeps no history; a peer that reconnects starts from the live state only.

import { WebSocketServer, WebSocket } from 'ws';

// Protocol (JSON text frames), connecting to PATH?room=NAME&id=CLIENTID[&role=polite|impolite]:
//   relay → client: welcome {polite, peerPresent} · peer {present} · pong {id} · signal {data}
//                   · error {message}; closes 4400 bad query, 4001 replaced, 4409 room full,
//                   1009 frame too big.
//   client → relay: ping {id} · signal {data}.
// `role` asks for the slot a client held before a relay restart; without it, the first free slot.

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * @typedef {object} Client
 * @property {string} id
 * @property {WebSocket} ws
 * @property {Room} room
 * @property {0 | 1} slot
 * @property {NodeJS.Timeout} liveness
 */
/** @typedef {{ name: string, slots: [Client | null, Client | null] }} Room */

/** @param {string} what @param {string | null} value @returns {string | null} */
function checkName(what, value) {
  if (value === null) return `missing ${what}`;
  return NAME.test(value) ? null : `bad ${what}: 1-64 chars of A-Za-z0-9_-`;
}

/** @type {typeof import('./relay').attachRelay} */
export function attachRelay(server, options = {}) {
  const { path = '/signal', maxFrameBytes = 64 * 1024, heartbeatTimeoutMs = 6000 } = options;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new TypeError('Expected `path` to be a string starting with "/".');
  }
  for (const [name, value] of /** @type {const} */ ([
    ['maxFrameBytes', maxFrameBytes],
    ['heartbeatTimeoutMs', heartbeatTimeoutMs],
  ])) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new TypeError(`Expected \`${name}\` to be a positive number, got ${String(value)}.`);
    }
  }

  // ws closes with 1009 by itself when a frame exceeds maxPayload.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes });
  /** @type {Map<string, Room>} */
  const rooms = new Map();
  /** @type {Set<string>} */
  const silent = new Set();

  /** @param {Client} client @param {unknown} frame */
  function send(client, frame) {
    if (silent.has(client.id) || client.ws.readyState !== WebSocket.OPEN) return;
    client.ws.send(JSON.stringify(frame));
  }

  /** @param {Client} client */
  function other(client) {
    return client.room.slots[client.slot === 0 ? 1 : 0];
  }

  /** Takes `client` out of its room and tells the other peer; safe to call twice. */
  function leave(/** @type {Client} */ client) {
    clearTimeout(client.liveness);
    const { room } = client;
    if (room.slots[client.slot] !== client) return;
    room.slots[client.slot] = null;
    const peer = other(client);
    if (peer) send(peer, { type: 'peer', present: false });
    else rooms.delete(room.name);
  }

  /** @param {Client} client @param {import('ws').RawData} raw @param {boolean} isBinary */
  function receive(client, raw, isBinary) {
    if (silent.has(client.id) || client.room.slots[client.slot] !== client) return;
    client.liveness.refresh();
    if (isBinary) {
      send(client, { type: 'error', message: 'binary frames are not accepted; send JSON text' });
      return;
    }
    /** @type {unknown} */
    let frame;
    try {
      // With ws's default binaryType ('nodebuffer') a text frame arrives as one Buffer.
      frame = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : '');
    } catch {
      send(client, { type: 'error', message: 'frame is not valid JSON' });
      return;
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      send(client, { type: 'error', message: 'frame must be a JSON object with a `type`' });
      return;
    }
    const { type } = /** @type {{ type?: unknown }} */ (frame);
    if (type === 'ping') {
      send(client, { type: 'pong', id: /** @type {{ id?: unknown }} */ (frame).id });
    } else if (type === 'signal') {
      const { data } = /** @type {{ data?: unknown }} */ (frame);
      if (data === undefined) {
        send(client, { type: 'error', message: 'signal frame has no `data`' });
        return;
      }
      const peer = other(client);
      if (peer) send(peer, { type: 'signal', data });
      else send(client, { type: 'error', message: 'no peer in room' });
    } else {
      const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type;
      send(client, { type: 'error', message: `unknown frame type ${shown}` });
    }
  }

  /** @param {WebSocket} ws @param {URL} url */
  function admit(ws, url) {
    const roomName = url.searchParams.get('room');
    const id = url.searchParams.get('id');
    ws.on('error', () => {}); // 'close' follows every error; leaving happens there
    const role = url.searchParams.get('role');
    const problem =
      checkName('room', roomName) ??
      checkName('id', id) ??
      (role === null || role === 'polite' || role === 'impolite'
        ? null
        : 'bad role: polite or impolite');
    if (problem !== null || roomName === null || id === null) {
      ws.close(4400, problem ?? 'bad query');
      return;
    }
    const room = rooms.get(roomName) ?? { name: roomName, slots: [null, null] };
    const previous = room.slots.find((c) => c?.id === id) ?? null;
    /** @type {0 | 1} */
    let slot;
    if (previous) {
      slot = previous.slot;
      // The replaced socket really left: the other peer hears it, so it resends what may have
      // gone into that (possibly blackholed) socket once the new one is announced.
      leave(previous);
      previous.ws.close(4001, 'replaced');
    } else if (role !== null && room.slots[role === 'polite' ? 1 : 0] === null) {
      // A client that was welcomed before asks for its old role back: after a relay restart the
      // two peers return in any order, and perfect negotiation needs their roles unchanged.
      slot = role === 'polite' ? 1 : 0;
    } else if (room.slots[0] === null) {
      slot = 0;
    } else if (room.slots[1] === null) {
      slot = 1;
    } else {
      ws.close(4409, 'room full');
      return;
    }
    /** @type {Client} */
    const client = {
      id,
      ws,
      room,
      slot,
      liveness: setTimeout(() => {
        leave(client);
        // A dead path cannot complete a closing handshake.
        ws.terminate();
      }, heartbeatTimeoutMs),
    };
    room.slots[slot] = client;
    rooms.set(roomName, room); // again: leaving `previous` may have emptied it
    ws.on('message', (raw, isBinary) => {
      receive(client, raw, isBinary);
    });
    ws.on('close', () => {
      leave(client);
    });
    const peer = other(client);
    send(client, { type: 'welcome', polite: slot === 1, peerPresent: peer !== null });
    if (peer) send(peer, { type: 'peer', present: true });
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:stream').Duplex} socket @param {Buffer} head */
  function onUpgrade(req, socket, head) {
    const url = new URL(req.url ?? '/', 'http://relay.invalid');
    if (url.pathname !== path) return;
    const id = url.searchParams.get('id');
    if (id !== null && silent.has(id)) {
      // A blackholed client cannot reach us at all.
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      admit(ws, url);
    });
  }
  server.on('upgrade', onUpgrade);

  function dropAll() {
    for (const room of rooms.values()) {
      for (const client of room.slots) if (client) clearTimeout(client.liveness);
    }
    rooms.clear();
    for (const ws of wss.clients) ws.terminate();
  }

  return {
    close() {
      server.off('upgrade', onUpgrade);
      dropAll();
      silent.clear();
      return new Promise((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
    },
    rooms() {
      return rooms.size;
    },
    reset() {
      dropAll();
      silent.clear();
    },
    setSilent(id, on) {
      if (on) silent.add(id);
      else silent.delete(id);
    },
  };
}
