// The resilient-peer call page of the netns scenarios (app.html): joins `?room=` over the project
// relay with WebSocketSignaling, sends the fake camera both ways and a numbered message every
// 50 ms both ways on one ordered, reliable data channel, and logs every library event, native
// state change and resumption (data, decoded frames) as "[rpt] {json}" lines for the Timeline.

import * as rp from '/dist/resilient-peer.bundle.js';

const SEND_INTERVAL_MS = 50;
const STATS_INTERVAL_MS = 100;
/** A message or decoded frame after at least this long without one is logged as a resumption. */
const GAP_MS = 500;

const params = new URLSearchParams(location.search);
const room = params.get('room') ?? 'default';
const policyParam = params.get('policy') ?? 'default';

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
const seq = {
  sent: 0,
  received: 0,
  maxSeen: 0,
  unique: 0,
  duplicates: 0,
  outOfOrder: 0,
  lastAt: 0,
  seen: new Set(),
};
let signalingState = { up: false, socket: 'connecting', peerPresent: false };
let channel = null;
let framesDecoded = 0;
let peer = null;
let polite = null;

// Chromium gathers no host candidates without a media permission; the fake camera is sent anyway.
const stream = await navigator.mediaDevices.getUserMedia({ video: true });

const signaling = new rp.WebSocketSignaling({
  url: `ws://${location.host}/signal?room=${encodeURIComponent(room)}`,
});
signaling.on('state', (state) => {
  signalingState = state;
  log('signaling', state);
});
signaling.on('welcome', ({ polite: p }) => log('welcome', { polite: p }));
signaling.on('error', ({ error }) =>
  log('signalingError', { code: error.code, message: error.message }),
);

if (params.has('debug')) {
  signaling.subscribe({
    message: (m) =>
      log('sigIn', {
        kind: m?.kind,
        type: m?.description?.type,
        candidate: m?.candidate?.candidate,
      }),
    up: () => undefined,
    down: () => undefined,
  });
}

({ polite } = await signaling.ready());
log('ready', { room, polite, policy: policyParam });

peer = new rp.ResilientPeer({
  polite,
  signaling,
  policy,
  logger: {
    debug: params.has('debug') ? (message) => log('lib', { level: 'debug', message }) : undefined,
    info: (message, data) => log('lib', { level: 'info', message, ...(data ?? {}) }),
    warn: (message, data) => log('lib', { level: 'warn', message, ...(data ?? {}) }),
  },
});
const pc = peer.pc;

peer.on('phaseChange', (e) => log('phaseChange', { ...e }));
peer.on('restartScheduled', (e) => log('restartScheduled', { ...e }));
peer.on('restartAttempt', (e) => log('restartAttempt', { ...e }));
peer.on('recovered', (e) => log('recovered', { ...e }));
peer.on('gaveUp', (e) => log('gaveUp', { ...e }));
peer.on('error', ({ error }) => log('error', { code: error.code, message: error.message }));

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
pc.addEventListener('track', ({ streams: [remote] }) => {
  const video = document.getElementById('remote');
  if (remote && video.srcObject !== remote) video.srcObject = remote;
  log('track');
});

// Both sides add the camera at once, as an app would: the polite side's first offer then races
// the impolite side's, which the library's perfect negotiation has to settle.
for (const track of stream.getTracks()) pc.addTrack(track, stream);

const onMessage = ({ data }) => {
  const n = Number(data);
  const now = Date.now();
  if (seq.lastAt > 0 && now - seq.lastAt > GAP_MS) {
    log('message', { seq: n, gapMs: now - seq.lastAt });
  } else if (seq.lastAt === 0) {
    log('message', { seq: n, first: true });
  }
  seq.lastAt = now;
  seq.received += 1;
  if (seq.seen.has(n)) {
    seq.duplicates += 1;
    return;
  }
  if (n < seq.maxSeen) seq.outOfOrder += 1;
  seq.seen.add(n);
  seq.unique += 1;
  seq.maxSeen = Math.max(seq.maxSeen, n);
};

const setUpChannel = (dc) => {
  channel = dc;
  dc.onopen = () => log('dcOpen');
  dc.onclose = () => log('dcClose');
  dc.onerror = (event) => log('dcError', { message: String(event.error?.message ?? event) });
  dc.onmessage = onMessage;
  if (dc.readyState === 'open') log('dcOpen');
};
if (polite) pc.addEventListener('datachannel', ({ channel: dc }) => setUpChannel(dc));
else setUpChannel(pc.createDataChannel('seq', { ordered: true, negotiated: false }));

setInterval(() => {
  if (channel?.readyState === 'open') channel.send(String(++seq.sent));
}, SEND_INTERVAL_MS);

// Decoded video: log the first increase of framesDecoded after >= GAP_MS without one.
let lastFrameIncreaseAt = 0;
let statsBusy = false;
setInterval(async () => {
  if (statsBusy || pc.connectionState === 'closed') return;
  statsBusy = true;
  try {
    const report = await pc.getStats();
    let decoded;
    for (const stats of report.values()) {
      if (stats.type === 'inbound-rtp' && stats.kind === 'video') decoded = stats.framesDecoded;
    }
    if (typeof decoded === 'number' && decoded > framesDecoded) {
      const now = Date.now();
      if (lastFrameIncreaseAt === 0) log('frame', { framesDecoded: decoded, first: true });
      else if (now - lastFrameIncreaseAt >= GAP_MS) {
        log('frame', { framesDecoded: decoded, stallMs: now - lastFrameIncreaseAt });
      }
      framesDecoded = decoded;
      lastFrameIncreaseAt = now;
    }
  } catch (error) {
    log('statsError', { message: String(error) });
  } finally {
    statsBusy = false;
  }
}, STATS_INTERVAL_MS);

const state = () => ({
  polite,
  phase: peer.phase,
  connectionState: pc.connectionState,
  iceConnectionState: pc.iceConnectionState,
  signalingState: pc.signalingState,
  signaling: signalingState,
  channel: channel?.readyState ?? null,
  sent: seq.sent,
  received: seq.received,
  maxSeen: seq.maxSeen,
  missing: seq.maxSeen - seq.unique,
  duplicates: seq.duplicates,
  outOfOrder: seq.outOfOrder,
  lastMessageAt: seq.lastAt,
  framesDecoded,
  lastFrameAt: lastFrameIncreaseAt,
});

window.app = {
  state,
  get phase() {
    return peer.phase;
  },
  get signalingState() {
    return pc.signalingState;
  },
  get counters() {
    const { received, maxSeen, missing, duplicates, outOfOrder } = state();
    return { received, maxSeen, missing, duplicates, outOfOrder };
  },
  restart() {
    log('appRestart');
    peer.restart();
  },
};
log('appReady', { polite });
