// The reference relay's wire protocol, in one place for both ends: the relay (src/relay/relay.ts)
// and its browser client (websocket.ts). JSON text frames over one WebSocket per peer, connected
// to PATH?room=NAME&id=CLIENTID[&conn=NONCE.COUNTER][&role=polite|impolite]:
//   relay → client: welcome {polite, peerPresent} · peer {present, left} · pong {id}
//                   · signal {data} · error {message}
//   client → relay: ping {id} · signal {data}
// `role` asks for the slot a client held before a relay restart; without it, the first free one.
// `conn` numbers a client instance's connects (see `ConnTag`); clients without it are replaced as
// before.

import { isRecord } from '../validate.js';

/** A room name or a client id. */
export const NAME_PATTERN = /^[\w-]{1,64}$/;
export const NAME_TEXT = '1-64 characters of A-Za-z0-9_-';

/** Close codes the relay and its client use. */
export const CLOSE_CODES = Object.freeze({
  /** The client is done (its app closed it): the peer has left. */
  normal: 1000,
  /** The page went away: the peer has left. */
  goingAway: 1001,
  /** A frame over the relay's size limit (ws sends it by itself). */
  tooBig: 1009,
  /** The client gives up this socket to start over (no reply expected on a dead path). */
  startOver: 4000,
  /** Another socket with the same client id took this one's place. */
  replaced: 4001,
  /**
   * This socket is an earlier connect of the client instance already in the room (same `conn`
   * nonce, lower counter) whose handshake arrived late, after the client had given it up: it must
   * not replace the newer socket, which would stop the client for good (`replaced` is fatal to it).
   */
  stale: 4002,
  /** The URL's query was wrong. */
  badQuery: 4400,
  /** Both slots of the room are taken. */
  roomFull: 4409,
});

/**
 * `conn=NONCE.COUNTER`: which client instance opened a socket (NONCE, random per instance) and its
 * how-manieth connect that is (COUNTER, growing with each one; only the order of counters matters).
 */
export interface ConnTag {
  readonly nonce: string;
  readonly counter: number;
}

/** At most 15 digits: every counter stays an exact integer. */
const CONN_PATTERN = /^([\w-]{1,64})\.(\d{1,15})$/;
export const CONN_TEXT = 'NONCE.COUNTER (1-64 characters of A-Za-z0-9_-, a dot, 1-15 digits)';

export function formatConn({ nonce, counter }: ConnTag): string {
  return `${nonce}.${String(counter)}`;
}

/** The tag in a `conn` parameter; null when it is malformed. */
export function parseConn(value: string): ConnTag | null {
  const match = CONN_PATTERN.exec(value);
  if (match === null) return null;
  const [, nonce = '', counter = ''] = match;
  return { nonce, counter: Number(counter) };
}

/** Whether a client that closed with `code` left for good (as opposed to reconnecting). */
export function closeMeansLeft(code: number): boolean {
  return code === CLOSE_CODES.normal || code === CLOSE_CODES.goingAway;
}

/** A frame the relay sends. */
export type RelayFrame =
  | { readonly type: 'welcome'; readonly polite: boolean; readonly peerPresent: boolean }
  | { readonly type: 'peer'; readonly present: boolean; readonly left: boolean }
  | { readonly type: 'pong'; readonly id: unknown }
  | { readonly type: 'signal'; readonly data: unknown }
  | { readonly type: 'error'; readonly message: string };

/** A frame a client sends. */
export type ClientFrame =
  | { readonly type: 'ping'; readonly id: number }
  | { readonly type: 'signal'; readonly data: unknown };

/** Parses a frame from the relay, or returns what is wrong with it. */
export function parseRelayFrame(data: unknown): RelayFrame | string {
  let frame: unknown;
  try {
    if (typeof data === 'string') frame = JSON.parse(data);
  } catch {
    // Not JSON: reported below.
  }
  if (!isRecord(frame)) return 'relay frame is not a JSON object';
  switch (frame.type) {
    case 'welcome': {
      const { polite, peerPresent } = frame;
      if (typeof polite !== 'boolean' || typeof peerPresent !== 'boolean') {
        return 'welcome needs boolean `polite` and `peerPresent`';
      }
      return { type: 'welcome', polite, peerPresent };
    }
    case 'peer':
      if (typeof frame.present !== 'boolean') return 'peer needs a boolean `present`';
      return { type: 'peer', present: frame.present, left: frame.left === true };
    case 'pong':
      return { type: 'pong', id: frame.id };
    case 'signal':
      if (!('data' in frame)) return 'signal needs `data`';
      return { type: 'signal', data: frame.data };
    case 'error':
      return { type: 'error', message: String(frame.message) };
  }
  return 'unexpected relay frame';
}
