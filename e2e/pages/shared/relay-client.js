// @ts-check
// The library-free pages' client of the project relay (src/relay/relay.ts; protocol in
// src/signaling/relay-protocol.ts): one WebSocket to /signal?room=&id= on the page's own host,
// a ping every `pingMs` (the relay drops a client silent for 6 s), JSON frames both ways, and on
// request a new socket `reconnectMs` after one closed, as a typical app does. Nothing here
// detects a blackholed socket: that is what the library's adapter adds.

/**
 * @typedef {object} RelayClientOptions
 * @property {string} room
 * @property {string} id this client's id in the room (a reconnect with the same id keeps its slot)
 * @property {number} [pingMs] default 2000
 * @property {number | null} [reconnectMs] open a new socket this long after one closed; null: never. Default null
 * @property {(event: string, data?: Record<string, unknown>) => void} [log] wsOpen, wsClose,
 *   relayError, signalDropped and handler errors go here
 * @property {(welcome: { polite: boolean, peerPresent: boolean }) => void} [onWelcome]
 * @property {(peer: { present: boolean, left: boolean }) => void} [onPeer]
 * @property {(data: any) => void | Promise<void>} [onSignal] the other client's signal, as it sent it
 */

/**
 * Connects to the relay; `send` forwards a signal to the other client of the room while the
 * socket is open (and logs `signalDropped` otherwise), `close` ends it for good.
 * @param {RelayClientOptions} options
 */
export function connectRelay(options) {
  const { room, id, pingMs = 2000, reconnectMs = null, log = () => undefined } = options;
  const url = new URL('/signal', location.href);
  url.protocol = 'ws:';
  url.searchParams.set('room', room);
  url.searchParams.set('id', id);
  /** @type {WebSocket} */
  let ws;
  let pings = 0;
  let closed = false;

  /** @param {{ type: string } & Record<string, unknown>} frame */
  const handle = async (frame) => {
    if (frame.type === 'welcome') {
      options.onWelcome?.({
        polite: frame.polite === true,
        peerPresent: frame.peerPresent === true,
      });
    } else if (frame.type === 'peer') {
      options.onPeer?.({ present: frame.present === true, left: frame.left === true });
    } else if (frame.type === 'signal') {
      await options.onSignal?.(frame.data);
    } else if (frame.type === 'error') {
      log('relayError', { message: String(frame.message) });
    }
  };

  const connect = () => {
    const socket = new WebSocket(url);
    ws = socket;
    const pinger = setInterval(() => {
      if (socket.readyState === WebSocket.OPEN)
        socket.send(JSON.stringify({ type: 'ping', id: ++pings }));
    }, pingMs);
    socket.onopen = () => log('wsOpen');
    socket.onclose = ({ code, reason }) => {
      clearInterval(pinger);
      log('wsClose', { code, reason });
      if (!closed && reconnectMs !== null && socket === ws) setTimeout(connect, reconnectMs);
    };
    socket.onmessage = async ({ data }) => {
      try {
        await handle(JSON.parse(String(data)));
      } catch (error) {
        log('error', { where: 'signal', message: String(error) });
      }
    };
  };
  connect();

  return {
    /** @param {Record<string, unknown>} data @returns {boolean} whether it went out */
    send(data) {
      if (ws.readyState !== WebSocket.OPEN) {
        log('signalDropped', { kind: Object.keys(data)[0] ?? null });
        return false;
      }
      ws.send(JSON.stringify({ type: 'signal', data }));
      return true;
    },
    /** The socket in use now (a new one after each reconnect). */
    get socket() {
      return ws;
    },
    close() {
      closed = true;
      ws.close(1000);
    },
  };
}
