// The reference signaling relay for Node: pairs two peers per room over WebSocket and forwards
// their signals (protocol in ../signaling/relay-protocol.ts). It keeps no history; a peer that
// reconnects starts from the live state only. It tells a peer whether the other one left for
// good (its socket closed cleanly) or merely vanished (its heartbeat stopped).

import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  closeMeansLeft,
  CLOSE_CODES,
  CONN_TEXT,
  NAME_PATTERN,
  NAME_TEXT,
  parseConn,
  type ConnTag,
} from '../signaling/relay-protocol.js';
import { isRecord, validateObject, type Rule } from '../validate.js';

/** Options of `attachRelay()`. */
export interface RelayOptions {
  /** The only URL path whose upgrades the relay takes; others are left to other listeners. @default '/signal' */
  readonly path?: string;
  /** Largest frame accepted; a bigger one closes the socket with 1009. @default 65536 */
  readonly maxFrameBytes?: number;
  /** A client silent for longer than this is dropped and its peer told. @default 6000 */
  readonly heartbeatTimeoutMs?: number;
}

/** A running relay attached to an HTTP server. */
export interface Relay {
  /** Stops taking upgrades and drops every socket; the HTTP server stays up. */
  readonly close: () => Promise<void>;
  /** How many rooms have at least one peer. */
  readonly rooms: () => number;
}

interface Client {
  readonly id: string;
  /** Which instance of the client this socket is, and its how-manieth connect; null if not said. */
  readonly conn: ConnTag | null;
  readonly ws: WebSocket;
  readonly room: Room;
  readonly slot: 0 | 1;
  readonly liveness: NodeJS.Timeout;
}

interface Room {
  readonly name: string;
  readonly slots: [Client | null, Client | null];
}

/** What the test server adds (see testing.ts); not part of the public API. */
export interface RelayCore extends Relay {
  /** Drops every socket and room. */
  readonly dropAll: () => void;
}

const positive: Rule = [
  (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  'a positive finite number',
];
const RULES: Readonly<Record<keyof RelayOptions, Rule>> = {
  path: [(v) => typeof v === 'string' && v.startsWith('/'), 'a string starting with "/"'],
  maxFrameBytes: positive,
  heartbeatTimeoutMs: positive,
};

/** Attaches the relay to `server`'s `upgrade` events for `options.path`. */
export function attachRelay(server: Server, options: RelayOptions = {}): Relay {
  const relay = createRelay(server, options);
  return { close: () => relay.close(), rooms: () => relay.rooms() };
}

/**
 * The relay itself; `isSilenced` lets the test server blackhole a client id (nothing from or to
 * it gets through, as on a dead path).
 */
export function createRelay(
  server: Server,
  options: RelayOptions = {},
  isSilenced: (id: string) => boolean = () => false,
): RelayCore {
  validateObject(options, 'options', RULES);
  const { path = '/signal', maxFrameBytes = 64 * 1024, heartbeatTimeoutMs = 6000 } = options;
  // ws closes with 1009 by itself when a frame exceeds maxPayload.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes });
  const rooms = new Map<string, Room>();

  const send = (client: Client, frame: unknown): void => {
    if (isSilenced(client.id) || client.ws.readyState !== WebSocket.OPEN) return;
    client.ws.send(JSON.stringify(frame));
  };
  const other = (client: Client): Client | null => client.room.slots[client.slot === 0 ? 1 : 0];

  /** Takes `client` out of its room and tells the other peer; safe to call twice. */
  const leave = (client: Client, left: boolean): void => {
    clearTimeout(client.liveness);
    const { room } = client;
    if (room.slots[client.slot] !== client) return;
    room.slots[client.slot] = null;
    const peer = other(client);
    if (peer) send(peer, { type: 'peer', present: false, left });
    else rooms.delete(room.name);
  };

  const receive = (client: Client, raw: RawData, isBinary: boolean): void => {
    if (isSilenced(client.id) || client.room.slots[client.slot] !== client) return;
    client.liveness.refresh();
    if (isBinary) {
      send(client, { type: 'error', message: 'binary frames are not accepted; send JSON text' });
      return;
    }
    let frame: unknown;
    try {
      // With ws's default binaryType ('nodebuffer') a text frame arrives as one Buffer.
      frame = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : '');
    } catch {
      send(client, { type: 'error', message: 'frame is not valid JSON' });
      return;
    }
    if (!isRecord(frame)) {
      send(client, { type: 'error', message: 'frame must be a JSON object with a `type`' });
      return;
    }
    const { type } = frame;
    if (type === 'ping') {
      send(client, { type: 'pong', id: frame.id });
    } else if (type === 'signal') {
      if (frame.data === undefined) {
        send(client, { type: 'error', message: 'signal frame has no `data`' });
        return;
      }
      const peer = other(client);
      if (peer) send(peer, { type: 'signal', data: frame.data });
      else send(client, { type: 'error', message: 'no peer in room' });
    } else {
      const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type;
      send(client, { type: 'error', message: `unknown frame type ${shown}` });
    }
  };

  const admit = (ws: WebSocket, url: URL): void => {
    ws.on('error', () => undefined); // 'close' follows every error; leaving happens there
    const query = parseQuery(url.searchParams);
    if (typeof query === 'string') {
      ws.close(CLOSE_CODES.badQuery, query);
      return;
    }
    const { room: roomName, id, role, conn } = query;
    const room = rooms.get(roomName) ?? { name: roomName, slots: [null, null] };
    const previous = room.slots.find((c) => c?.id === id) ?? null;
    if (previous && isEarlierConnect(conn, previous.conn)) {
      // A handshake the client gave up arrived late (any path can deliver one late): the newer
      // socket stays, and the other peer hears nothing. The client has detached this one already.
      ws.close(CLOSE_CODES.stale, 'stale');
      return;
    }
    let slot: 0 | 1;
    if (previous) {
      slot = previous.slot;
      // The replaced socket really went away: the other peer hears it, so it resends what may
      // have gone into that (possibly blackholed) socket once the new one is announced.
      leave(previous, false);
      previous.ws.close(CLOSE_CODES.replaced, 'replaced');
    } else if (role !== null && room.slots[role === 'polite' ? 1 : 0] === null) {
      // A client that was welcomed before asks for its old role back: after a relay restart the
      // two peers return in any order, and perfect negotiation needs their roles unchanged.
      slot = role === 'polite' ? 1 : 0;
    } else if (room.slots[0] === null) {
      slot = 0;
    } else if (room.slots[1] === null) {
      slot = 1;
    } else {
      ws.close(CLOSE_CODES.roomFull, 'room full');
      return;
    }
    const client: Client = {
      id,
      conn,
      ws,
      room,
      slot,
      liveness: setTimeout(() => {
        leave(client, false);
        // A dead path cannot complete a closing handshake.
        ws.terminate();
      }, heartbeatTimeoutMs),
    };
    room.slots[slot] = client;
    rooms.set(roomName, room); // again: leaving `previous` may have emptied it
    ws.on('message', (raw, isBinary) => {
      receive(client, raw, isBinary);
    });
    ws.on('close', (code) => {
      leave(client, closeMeansLeft(code));
    });
    const peer = other(client);
    send(client, { type: 'welcome', polite: slot === 1, peerPresent: peer !== null });
    if (peer) send(peer, { type: 'peer', present: true, left: false });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://relay.invalid');
    if (url.pathname !== path) return;
    const id = url.searchParams.get('id');
    if (id !== null && isSilenced(id)) {
      socket.destroy(); // a blackholed client cannot reach us at all
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      admit(ws, url);
    });
  };
  server.on('upgrade', onUpgrade);

  const dropAll = (): void => {
    for (const room of rooms.values()) {
      for (const client of room.slots) if (client) clearTimeout(client.liveness);
    }
    rooms.clear();
    for (const ws of wss.clients) ws.terminate();
  };

  return {
    close() {
      server.off('upgrade', onUpgrade);
      dropAll();
      return new Promise((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
    },
    rooms: () => rooms.size,
    dropAll,
  };
}

interface Query {
  readonly room: string;
  readonly id: string;
  /** The slot asked for: polite, impolite (checked), or none. */
  readonly role: string | null;
  readonly conn: ConnTag | null;
}

/** The upgrade URL's parameters, or what is wrong with them. */
function parseQuery(params: URLSearchParams): Query | string {
  const room = params.get('room');
  const id = params.get('id');
  const role = params.get('role');
  const connText = params.get('conn');
  const conn = connText === null ? null : parseConn(connText);
  const problem =
    checkName('room', room) ??
    checkName('id', id) ??
    (role === null || role === 'polite' || role === 'impolite'
      ? null
      : 'bad role: polite or impolite') ??
    (connText === null || conn !== null ? null : `bad conn: ${CONN_TEXT}`);
  if (problem !== null || room === null || id === null) return problem ?? 'bad query';
  return { room, id, role, conn };
}

/**
 * Whether `arriving` is an earlier connect of the same client instance as `present`. A different
 * nonce is another instance (a reloaded page), which takes over as before; so does a client that
 * does not say.
 */
function isEarlierConnect(arriving: ConnTag | null, present: ConnTag | null): boolean {
  if (arriving === null || present === null) return false;
  return arriving.nonce === present.nonce && arriving.counter < present.counter;
}

function checkName(what: string, value: string | null): string | null {
  if (value === null) return `missing ${what}`;
  return NAME_PATTERN.test(value) ? null : `bad ${what}: ${NAME_TEXT}`;
}
