// Owns the stub WebSocket for the WebSocket adapter's unit tests: a socket that does nothing by
// itself; the test opens it, delivers frames and closes it from the relay's side.

import type { WebSocketConstructor, WebSocketLike } from '../../src/signaling/websocket-options.js';

/** One stub socket; see the file comment. */
export class StubSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  /** Every frame sent, parsed. */
  readonly sent: unknown[] = [];
  /** The code close() was called with (null: without one); undefined until then. */
  closedWith: number | null | undefined;
  /** send() throws this, when set. */
  sendError: Error | null = null;
  /** close() throws this, when set. */
  closeError: Error | null = null;
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  send(data: string): void {
    if (this.sendError !== null) throw this.sendError;
    this.sent.push(JSON.parse(data));
  }

  close(code?: number): void {
    if (this.closeError !== null) throw this.closeError;
    this.closedWith = code ?? null;
    this.readyState = 3;
  }

  /** The handshake completes. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({} as never);
  }

  /** A frame arrives from the relay (objects are sent as their JSON text). */
  receive(frame: unknown): void {
    const data = typeof frame === 'string' ? frame : JSON.stringify(frame);
    this.onmessage?.({ data } as never);
  }

  /** The relay (or the network stack) closes the socket. */
  closeFromServer(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason } as never);
  }

  /** The frames sent of one `type`. */
  sentOfType(type: string): unknown[] {
    return this.sent.filter(
      (frame) =>
        typeof frame === 'object' && frame !== null && 'type' in frame && frame.type === type,
    );
  }
}

/** A WebSocket class whose instances are StubSockets, collected in `made`. */
export function stubSocketClass(): {
  readonly Socket: WebSocketConstructor;
  readonly made: StubSocket[];
  /** The socket made last; throws if none was. */
  readonly last: () => StubSocket;
  /** Makes the constructor throw this (until set back to null). */
  fail: (error: Error | null) => void;
} {
  const made: StubSocket[] = [];
  let failure: Error | null = null;
  class Socket extends StubSocket {
    constructor(url: string) {
      if (failure !== null) throw failure;
      super(url);
      made.push(this);
    }
  }
  return {
    Socket,
    made,
    last: () => {
      const socket = made.at(-1);
      if (socket === undefined) throw new Error('no socket was made');
      return socket;
    },
    fail: (error) => {
      failure = error;
    },
  };
}
