// @ts-check
// Recipe: resilient-peer over Socket.IO, the signaling many apps already run. Copy it into your
// app. The server side is one line per event (see e2e/netns/app-signaling.mjs):
//   io.on('connection', (s) => { s.join(room); s.on('signal', (m) => s.to(room).emit('signal', m)); });
// Socket.IO's own heartbeat notices a dead socket only after pingInterval + pingTimeout (45 s by
// default), so the channel starts over when resilient-peer says the remote stopped answering.
// Tested in e2e/netns/byo-signaling.spec.ts.

/** @typedef {import('resilient-peer').SignalingChannel} SignalingChannel */
/** @typedef {import('resilient-peer').SignalingHandlers} SignalingHandlers */
/** @typedef {import('socket.io-client').Socket} Socket */

/**
 * A SignalingChannel over a connected-or-connecting Socket.IO client socket.
 * @param {Socket} socket
 * @returns {SignalingChannel}
 */
export function socketIoChannel(socket) {
  return {
    get isUp() {
      return socket.connected;
    },
    send(message) {
      socket.emit('signal', message);
    },
    subscribe(handlers) {
      /** @param {unknown} data */
      const message = (data) => {
        handlers.message(data);
      };
      const up = () => {
        handlers.up();
      };
      const down = () => {
        handlers.down();
      };
      socket.on('signal', message);
      socket.on('connect', up);
      socket.on('disconnect', down);
      return () => {
        socket.off('signal', message);
        socket.off('connect', up);
        socket.off('disconnect', down);
      };
    },
    reconnect() {
      // Start over on a fresh connection; Socket.IO then reconnects with its own backoff.
      if (!socket.connected) return;
      socket.disconnect();
      socket.connect();
    },
  };
}
