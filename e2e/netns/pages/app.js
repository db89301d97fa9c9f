// The resilient-peer call page of the netns scenarios (app.html): joins `?room=` over the chosen
// signaling (`transport=relay` WebSocketSignaling to the project relay, `app-ws` the bare
// WebSocket recipe, `socket.io` the Socket.IO recipe), sends the fake camera both ways and a
// numbered message every 50 ms both ways on one ordered, reliable data channel, and logs every
// library event, native state change and resumption (data, decoded frames) as "[rpt] {json}"
// lines for the Timeline. Every RTCPeerConnection is set up through the library's `setup`.

import * as rp from '/dist/resilient-peer.bundle.js';
import { PEER_EVENTS } from '/e2e/pages/record-events.js';
import { fakeCamera, watchFrames } from '/e2e/pages/shared/media.js';
import { carrySequence, Sequences } from '/e2e/pages/shared/sequence.js';
import { selectedCandidates } from '/e2e/pages/shared/stats.js';
import { AppWebSocketChannel } from '/recipes/app-websocket.js';
import { socketIoChannel } from '/recipes/socket-io.js';

const SEND_INTERVAL_MS = 50;
const STATS_INTERVAL_MS = 100;
/** A message or decoded frame after at least this long without one is logged as a resumption. */
const GAP_MS = 500;

const params = new URLSearchParams(location.search);
const room = params.get('room') ?? 'default';
const policyParam = params.get('policy') ?? 'default';
const transport = params.get('transport') ?? 'relay';
/** `ice`: the RTCIceServer list as JSON; `icePolicy`: `relay` to start on TURN only. */
const iceServers = JSON.parse(params.get('ice') ?? '[]');
const rtcConfig = { iceServers, iceTransportPolicy: params.get('icePolicy') ?? 'all' };
/** `provider=1`: fresh ICE servers come from `app.setIceServers()` through getIceServers. */
const provided = { servers: iceServers, calls: 0 };
const getIceServers =
  params.get('provider') === '1'
    ? () => {
        provided.calls += 1;
        log('getIceServers', { calls: provided.calls });
        return provided.servers;
      }
    : undefined;

const log = (event, data = {}) =>
  console.log('[rpt] ' + JSON.stringify({ t: Date.now(), event, ...data }));

/** `default` → the library's default; `table:0,1000` → delayTable([0, 1000]). */
const parsePolicy = (text) => {
  if (text === 'default') return undefined;
  if (text.startsWith('table:')) return rp.delayTable(text.slice(6).split(',').map(Number));
  throw new Error(`unknown policy ${text}`);
};
const policy = parsePolicy(policyParam);

// --- what tests read ---
/**
 * One numbered sequence per data channel: a replaced connection brings a new channel, whose
 * numbering starts again (messages in flight on the closed one are lost by definition).
 */
const sequences = new Sequences();
let lastMessageAt = 0;
let signalingUp = false;
let channel = null;
let framesDecoded = 0;
let peer = null;

// Small, since two harnesses run at once on two cores.
const stream = await fakeCamera({ width: 320, height: 240 });

/** The signaling channel and this side's role for the chosen transport. */
async function connectSignaling() {
  const room64 = encodeURIComponent(room);
  if (transport === 'app-ws') {
    return {
      signaling: new AppWebSocketChannel(`ws://${location.host}/app-ws?room=${room64}`),
      polite: params.get('polite') === '1',
    };
  }
  if (transport === 'socket.io') {
    const { io } = await import('/node_modules/socket.io-client/dist/socket.io.esm.min.js');
    const socket = io(location.origin, { query: { room } });
    socket.on('connect', () => log('socketio', { connected: true }));
    socket.on('disconnect', (reason) => log('socketio', { connected: false, reason }));
    return { signaling: socketIoChannel(socket), polite: params.get('polite') === '1' };
  }
  const signaling = new rp.WebSocketSignaling({
    url: `ws://${location.host}/signal?room=${room64}`,
  });
  signaling.on('state', (state) => log('signaling', state));
  signaling.on('welcome', ({ polite }) => log('welcome', { polite }));
  signaling.on('error', ({ error }) =>
    log('signalingError', { code: error.code, message: error.message }),
  );
  const { polite } = await signaling.ready();
  return { signaling, polite };
}

const { signaling, polite } = await connectSignaling();
log('ready', { room, polite, policy: policyParam, transport });

if (params.has('debug')) {
  signaling.subscribe({
    message: (m) => {
      const parsed = typeof m === 'string' ? JSON.parse(m) : m;
      log('sigIn', {
        kind: parsed?.kind,
        type: parsed?.description?.type,
        candidate: parsed?.candidate?.candidate,
      });
    },
    up: () => undefined,
    down: () => undefined,
  });
}

const onMessage = ({ n, at }) => {
  if (lastMessageAt > 0 && at - lastMessageAt > GAP_MS)
    log('message', { seq: n, gapMs: at - lastMessageAt });
  else if (lastMessageAt === 0) log('message', { seq: n, first: true });
  lastMessageAt = at;
};

/** Stops the sending of the previous channel: a closed connection's channels fire no `close`. */
let stopSending = () => undefined;
const setUpChannel = (dc) => {
  stopSending();
  channel = dc;
  dc.onopen = () => log('dcOpen');
  dc.onclose = () => log('dcClose');
  dc.onerror = (event) => log('dcError', { message: String(event.error?.message ?? event) });
  stopSending = carrySequence(dc, sequences.startChannel(), {
    everyMs: SEND_INTERVAL_MS,
    onReceive: onMessage,
  });
  if (dc.readyState === 'open') log('dcOpen');
};

/** Every connection the library makes (the first and each replacement) is set up here. */
const setup = (pc) => {
  for (const name of [
    'connectionState',
    'iceConnectionState',
    'signalingState',
    'iceGatheringState',
  ]) {
    pc.addEventListener(name.toLowerCase() + 'change', () => log(name, { state: pc[name] }));
  }
  pc.addEventListener('icecandidate', ({ candidate }) => {
    if (candidate?.candidate) log('localCandidate', { candidate: candidate.candidate });
  });
  // Both sides add the camera at once, as an app would: the library's perfect negotiation
  // settles the offers that race.
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  if (polite) pc.addEventListener('datachannel', ({ channel: dc }) => setUpChannel(dc));
  else setUpChannel(pc.createDataChannel('seq', { ordered: true }));
};

peer = new rp.ResilientPeer({
  polite,
  signaling,
  policy,
  setup,
  rtcConfig,
  getIceServers,
  logger: {
    debug: params.has('debug')
      ? (message, data) => log('lib', { level: 'debug', message, ...(data ?? {}) })
      : undefined,
    info: (message, data) => log('lib', { level: 'info', message, ...(data ?? {}) }),
    warn: (message, data) => log('lib', { level: 'warn', message, ...(data ?? {}) }),
  },
});

const SPECIAL = new Set(['signalingChange', 'connectionReplaced', 'error']);
for (const name of PEER_EVENTS.filter((n) => !SPECIAL.has(n))) {
  peer.on(name, (e) => log(name, { ...e }));
}
peer.on('signalingChange', (e) => {
  signalingUp = e.up;
  log('signalingChange', { ...e });
});
peer.on('connectionReplaced', ({ reason }) => log('connectionReplaced', { reason }));
peer.on('error', ({ error }) => log('error', { code: error.code, message: error.message }));
peer.on('track', ({ streams: [remote] }) => {
  const video = document.getElementById('remote');
  if (remote && video.srcObject !== remote) video.srcObject = remote;
  log('track');
});

// Decoded video: log the first new frames after >= GAP_MS without any.
let lastFrameIncreaseAt = 0;
watchFrames(() => peer.pc, {
  everyMs: STATS_INTERVAL_MS,
  onFrames: ({ at, framesDecoded: decoded, sinceLastMs }) => {
    if (sinceLastMs === null) log('frame', { framesDecoded: decoded, first: true });
    else if (sinceLastMs >= GAP_MS) log('frame', { framesDecoded: decoded, stallMs: sinceLastMs });
    framesDecoded = decoded;
    lastFrameIncreaseAt = at;
  },
  onError: (error) => log('statsError', { message: String(error) }),
});

const state = () => {
  // Gaps, repeats and reordering within each channel this page had.
  const seq = sequences.check();
  return {
    polite,
    phase: peer.phase,
    connectionState: peer.pc.connectionState,
    iceConnectionState: peer.pc.iceConnectionState,
    signalingState: peer.pc.signalingState,
    signalingUp,
    channel: channel?.readyState ?? null,
    channels: seq.channels,
    sent: seq.sent,
    received: seq.received,
    maxSeen: seq.maxSeen,
    missing: seq.missing,
    duplicates: seq.duplicates,
    outOfOrder: seq.outOfOrder,
    lastMessageAt,
    framesDecoded,
    lastFrameAt: lastFrameIncreaseAt,
  };
};

window.app = {
  state,
  get phase() {
    return peer.phase;
  },
  restart() {
    log('appRestart');
    peer.restart();
  },
  close() {
    log('appClose');
    peer.close();
  },
  /** The servers getIceServers hands out from now on; how often it was asked so far. */
  setIceServers(servers) {
    provided.servers = servers;
    return provided.calls;
  },
  get iceServersCalls() {
    return provided.calls;
  },
  /** The selected candidate pair's path (candidate types, protocols, relay port). */
  async selectedPath() {
    const { local, remote } = selectedCandidates(await peer.pc.getStats());
    return {
      local: local?.candidateType ?? null,
      remote: remote?.candidateType ?? null,
      protocol: local?.protocol ?? null,
      relayProtocol: local?.relayProtocol ?? null,
      localAddress: local ? `${local.address ?? local.ip}:${local.port}` : null,
    };
  },
  /** Video RTP stats of the current connection and its senders' encodings, for diagnosis. */
  async videoStats() {
    const out = [];
    (await peer.pc.getStats()).forEach((s) => {
      if ((s.type === 'inbound-rtp' || s.type === 'outbound-rtp') && s.kind === 'video') {
        out.push({
          type: s.type,
          packetsReceived: s.packetsReceived,
          packetsSent: s.packetsSent,
          framesReceived: s.framesReceived,
          framesDecoded: s.framesDecoded,
          framesEncoded: s.framesEncoded,
          keyFramesDecoded: s.keyFramesDecoded,
          keyFramesEncoded: s.keyFramesEncoded,
          pliCount: s.pliCount,
          firCount: s.firCount,
          nackCount: s.nackCount,
          frameWidth: s.frameWidth,
          qualityLimitationReason: s.qualityLimitationReason,
          targetBitrate: s.targetBitrate,
        });
      }
    });
    const senders = peer.pc.getSenders().map((sender) => ({
      kind: sender.track?.kind,
      state: sender.track?.readyState,
      encodings: sender.getParameters().encodings?.map((e) => e.active),
    }));
    const transceivers = peer.pc
      .getTransceivers()
      .map((t) => ({ mid: t.mid, direction: t.direction, current: t.currentDirection }));
    return { out, senders, transceivers };
  },
};
log('appReady', { polite });
