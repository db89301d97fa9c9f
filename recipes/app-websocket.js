// @ts-check
// Recipe: resilient-peer over an app's own WebSocket (a room server that forwards each message to
// the other member; no heartbeat, no presence). Copy it into your app. It reconnects when the
// socket closes, and starts over when resilient-peer says the remote stopped answering: a dead
// socket (a blackholed path, a vanished local address) often never closes by itself.
// Tested in e2e/netns/byo-signaling.spec.ts.

/** @typedef {import('resilient-peer').SignalingChannel} SignalingChannel */
/** @typedef {import('resilient-peer').SignalingHandlers} SignalingHandlers */

/** @implements {SignalingChannel} */
export class AppWebSocketChannel {
  /** @type {Set<SignalingHandlers>} */
  #handlers = new Set();
  /** @type {WebSocket} */
  #ws;
  #closed = false;

  /** @param {string} url your room's WebSocket URL */
  constructor(url) {
    this.url = url;
    this.#ws = this.#open();
  }

  get isUp() {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** @param {import('resilient-peer').SignalingMessage} message */
  send(message) {
    this.#ws.send(JSON.stringify(message));
  }

  /** @param {SignalingHandlers} handlers */
  subscribe(handlers) {
    this.#handlers.add(handlers);
    return () => {
      this.#handlers.delete(handlers);
    };
  }

  /** resilient-peer: the remote stopped answering although the socket looks open. */
  reconnect() {
    // Only an open socket is replaced: closing one that is still connecting would hold up the
    // next connect to the same host (browsers allow one WebSocket handshake per host at a time).
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.onclose = null;
    this.#ws.close();
    this.#emit('down');
    this.#ws = this.#open();
  }

  close() {
    this.#closed = true;
    this.#ws.onclose = null;
    this.#ws.close();
  }

  #open() {
    const ws = new WebSocket(this.url);
    ws.onopen = () => {
      this.#emit('up');
    };
    ws.onmessage = (event) => {
      for (const handlers of this.#handlers) handlers.message(event.data);
    };
    ws.onclose = () => {
      this.#emit('down');
      if (!this.#closed) {
        setTimeout(() => {
          if (!this.#closed) this.#ws = this.#open();
        }, 1000);
      }
    };
    return ws;
  }

  /** @param {'up' | 'down'} what */
  #emit(what) {
    for (const handlers of this.#handlers) handlers[what]();
  }
}
