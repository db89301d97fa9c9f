// @ts-check
// The signaling servers an app brings along, as the "bring your own signaling" recipes meet them
// (recipes/app-websocket.js, recipes/socket-io.js): a bare WebSocket room server at /app-ws
// (forwards each message to the other members of its room; no heartbeat, no presence) and a
// Socket.IO server with its defaults. The test server (scripts/serve.mjs) attaches both.

import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer } from 'ws';

/**
 * @param {import('node:http').Server} server
 * @returns {{ close(): Promise<void>; reset(): void }}
 */
export function attachAppSignaling(server) {
  const wss = new WebSocketServer({ noServer: true });
  /** @type {Map<string, Set<import('ws').WebSocket>>} */
  const rooms = new Map();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://app.invalid');
    if (url.pathname !== '/app-ws') return;
    const room = url.searchParams.get('room') ?? 'default';
    wss.handleUpgrade(req, socket, head, (ws) => {
      const members = rooms.get(room) ?? new Set();
      rooms.set(room, members);
      members.add(ws);
      ws.on('error', () => undefined);
      ws.on('message', (data, isBinary) => {
        for (const other of members) if (other !== ws) other.send(data, { binary: isBinary });
      });
      ws.on('close', () => {
        members.delete(ws);
        if (members.size === 0) rooms.delete(room);
      });
    });
  });

  // Socket.IO's defaults, as an app runs it: ping every 25 s, 20 s timeout.
  const io = new SocketIoServer(server, { serveClient: false });
  io.on('connection', (socket) => {
    const room = String(socket.handshake.query.room ?? 'default');
    void socket.join(room);
    socket.on('signal', (message) => {
      socket.to(room).emit('signal', message);
    });
  });

  return {
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => {
        void io.close(() => {
          resolve(undefined);
        });
      });
    },
    reset() {
      for (const ws of wss.clients) ws.terminate();
      rooms.clear();
      io.disconnectSockets(true);
    },
  };
}
