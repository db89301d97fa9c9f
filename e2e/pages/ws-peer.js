// One side of a call over the reference relay: a WebSocketSignaling adapter to /signal on this
// page's own host, a ResilientPeer on it, and a data channel carrying a numbered sequence each
// way. Everything observable goes on `window.ws` with wall-clock times (Date.now()),
// so a spec can line the two pages' records up with what it did to the server.
import * as rp from '/dist/resilient-peer.bundle.js';
import { recordEvents } from '/e2e/pages/record-events.js';
import { canvasTrack } from '/e2e/pages/shared/media.js';
import { carrySequence, Sequences } from '/e2e/pages/shared/sequence.js';

const params = new URLSearchParams(location.search);
const room = params.get('room') ?? 'ws-peer';

/** Every socket the adapter creates, with what happened to it: creation, open, close() calls, close. */
const sockets = [];
class RecordingWebSocket extends WebSocket {
  constructor(url) {
    super(url);
    const record = { n: sockets.length, url, createdAt: Date.now(), openedAt: null };
    record.closeCalled = null; // { at, code, reason } when the adapter gave up on it
    record.closedAt = null;
    record.closeCode = null;
    sockets.push(record);
    this.record = record;
    this.addEventListener('open', () => {
      record.openedAt = Date.now();
    });
    this.addEventListener('close', (event) => {
      record.closedAt = Date.now();
      record.closeCode = event.code;
    });
  }
  close(code, reason) {
    this.record.closeCalled = { at: Date.now(), code: code ?? null, reason: reason ?? null };
    super.close(code, reason);
  }
}

const signaling = new rp.WebSocketSignaling({
  url: `ws://${location.host}/signal?room=${encodeURIComponent(room)}`,
  heartbeatIntervalMs: 500,
  heartbeatTimeoutMs: 1500,
  WebSocket: RecordingWebSocket,
});

const states = []; // the adapter's `state` events
const adapterErrors = []; // the adapter's `error` events
const welcomes = [];
signaling.on('state', (event) => {
  states.push({ at: Date.now(), ...event });
});
signaling.on('error', ({ error }) => {
  adapterErrors.push({ at: Date.now(), code: error.code, message: error.message });
});
signaling.on('welcome', ({ polite }) => {
  welcomes.push({ at: Date.now(), polite });
});

/** Signaling messages this page received from the other one, whatever the library did with them. */
const received = [];
signaling.subscribe({
  message: (data) => {
    received.push({
      at: Date.now(),
      kind: data?.kind ?? null,
      type: data?.description?.type ?? null,
    });
  },
  up: () => {},
  down: () => {},
});

const { polite } = await signaling.ready();
/** The library's log lines (secrets redacted), kept for a failing test's report. */
const log = [];
const line = (level) => (message, data) => {
  log.push({ at: Date.now(), level, message, data });
};
const peer = new rp.ResilientPeer({
  polite,
  signaling,
  logger: { debug: line('debug'), info: line('info'), warn: line('warn') },
});

/** This side's ICE gathering, for a failing test's report. */
const ice = [];
peer.pc.addEventListener('icecandidate', (event) => {
  ice.push({ at: Date.now(), candidate: event.candidate?.candidate ?? null });
});
peer.pc.addEventListener('icegatheringstatechange', () => {
  ice.push({ at: Date.now(), gathering: peer.pc.iceGatheringState });
});
peer.pc.addEventListener('icecandidateerror', (event) => {
  ice.push({ at: Date.now(), error: `${event.errorCode} ${event.errorText} ${event.url}` });
});
peer.pc.addEventListener('iceconnectionstatechange', () => {
  ice.push({ at: Date.now(), connection: peer.pc.iceConnectionState });
});

const events = recordEvents(peer, Date.now); // the library's events

// One ordered channel, opened by the impolite side only and carrying a sequence each way. Not a
// negotiated channel on both sides: that makes the first offers collide, and a polite side that
// rolls back its first offer sometimes never gathers a candidate again in Chromium (seen here
// with bare RTCPeerConnections too), which is not what this page is about.
const seq = new Sequences();
const carry = (channel) => carrySequence(channel, seq.startChannel(), { everyMs: 20 });
if (polite) {
  peer.pc.addEventListener('datachannel', (event) => {
    if (event.channel.label === 'seq') carry(event.channel);
  });
} else {
  carry(peer.pc.createDataChannel('seq', { ordered: true }));
}

/** Adds a sending video transceiver; negotiation goes over the relay. Returns the count after. */
function addVideo(label) {
  peer.pc.addTransceiver(canvasTrack(label), { direction: 'sendrecv' });
  return peer.pc.getTransceivers().length;
}

/** What the two pages compare to tell whether a negotiation completed on both. */
function negotiation() {
  return {
    signalingState: peer.pc.signalingState,
    connectionState: peer.pc.connectionState,
    phase: peer.phase,
    transceivers: peer.pc.getTransceivers().map((tr) => ({
      mid: tr.mid,
      kind: tr.receiver.track.kind,
      currentDirection: tr.currentDirection,
    })),
  };
}

window.ws = {
  rp,
  signaling,
  peer,
  id: signaling.id,
  polite,
  states,
  adapterErrors,
  welcomes,
  sockets,
  received,
  events,
  log,
  ice,
  addVideo,
  negotiation,
  /** The received sequence's gaps: missing numbers, duplicates, reorderings, longest pause. */
  sequenceCheck: () => seq.check(),
  /** Messages received in [from, to): whether the sequence kept flowing through a window. */
  receivedBetween: (from, to) => seq.receivedBetween(from, to),
};
window.ready = true;
