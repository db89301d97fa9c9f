// One benchmark peer (bench.html): `calls` calls of one variant (handlers.js), each in its own
// relay room, each sending the fake camera and a numbered message every `sendMs` both ways on one
// ordered data channel (a sequence per channel, e2e/pages/shared/sequence.js), and watching its
// decoded frames every `framePollMs` (0: not at all). Everything the runner reads is kept per call
// on window.bench with Date.now() stamps (one clock for both namespaces), and logged as
// "[rpt] {json}" lines (with the call's index) for the harness Timeline. window.bench appears
// once every call's signaling has been welcomed by the relay. Runs in Chromium and Firefox.

import { fakeCamera, framesDecoded, watchFrames } from '/e2e/pages/shared/media.js';
import { selectedCandidates } from '/e2e/pages/shared/stats.js';
import {
  carrySequence,
  firstAfterGap,
  firstAtOrAfter,
  Sequences,
} from '/e2e/pages/shared/sequence.js';
import { libraryCall, naiveCall } from './handlers.js';

const params = new URLSearchParams(location.search);
const variant = params.get('variant') ?? 'c';
const peerName = params.get('peer') ?? 'a';
const room = params.get('room') ?? 'bench';
const libUrl = params.get('lib') ?? '/dist/resilient-peer.bundle.js';
const calls = Number(params.get('calls') ?? '1');
const sendMs = Number(params.get('sendMs') ?? '20');
const framePollMs = Number(params.get('framePollMs') ?? '50');
const [width, height, frameRate] = (params.get('video') ?? '640x480@30').split(/[x@]/).map(Number);
/** Every variant's RTCIceServer list (STUN, TURN in the NAT cases), so they compare alike. */
const iceServers = JSON.parse(params.get('ice') ?? '[]');

const isLibrary = ['c', 'd', 'e'].includes(variant);
if (!isLibrary && variant !== 'a' && variant !== 'b') throw new Error(`unknown variant ${variant}`);
const lib = isLibrary ? await import(libUrl) : null;
// Every call sends the same camera track; each connection encodes it on its own.
const stream = await fakeCamera({ width, height, frameRate });

/** One call: its handler, and what the page records of it. */
async function startCall(index) {
  const events = [];
  const log = (event, data = {}) => {
    const entry = { t: Date.now(), event, ...data };
    events.push(entry);
    console.log('[rpt] ' + JSON.stringify({ ...entry, call: index }));
  };
  const sequences = new Sequences();
  const frameTimes = [];
  let pc = null;
  let channel = null;
  let stopSending = () => undefined;
  /** Connected as the handler sees it: native states (a, b), the library's phase (c, d, e). */
  let connected = false;
  let recoveryLogged = false;

  const ctx = {
    variant,
    peerName,
    room: `${room}-${index}`,
    iceServers,
    stream,
    lib,
    log,
    usePc: (next) => {
      pc = next;
      for (const name of ['connectionState', 'iceConnectionState', 'signalingState']) {
        next.addEventListener(name.toLowerCase() + 'change', () => {
          if (next === pc) log(name, { state: next[name] });
        });
      }
      next.addEventListener('track', () => log('track'));
    },
    useChannel: (dc) => {
      stopSending();
      channel = dc;
      dc.addEventListener('open', () => log('dcOpen'));
      dc.addEventListener('close', () => log('dcClose'));
      stopSending = carrySequence(dc, sequences.startChannel(), { everyMs: sendMs });
      if (dc.readyState === 'open') log('dcOpen');
    },
    setConnected: (value, why) => {
      if (value === connected) return;
      connected = value;
      log(value ? 'connected' : 'notConnected', { why });
    },
    recoveryStarted: (how) => {
      if (recoveryLogged) return;
      recoveryLogged = true;
      log('recoveryStarted', { how });
    },
  };
  const handler = await (isLibrary ? libraryCall(ctx) : naiveCall(ctx));
  if (framePollMs > 0) {
    watchFrames(() => pc, {
      everyMs: framePollMs,
      onFrames: ({ at }) => frameTimes.push(at),
      onError: (error) => log('statsError', { message: String(error) }),
    });
  }
  return {
    events,
    restart: () => handler.restart(),
    /** What the runner polls until the call is up. */
    summary: () => ({
      connected,
      channel: channel?.readyState ?? null,
      messages: sequences.check().received,
      frames: frameTimes.length,
    }),
    /**
     * The call's record: its events from `eventsFrom` on and whether it was connected then; the
     * first message and frame at or after `since`, or with `gapMs` the first that came after a
     * pause of at least that long (an address change leaves a few in flight).
     */
    read: (since, gapMs, eventsFrom) => {
      const first = (times) =>
        gapMs > 0 ? firstAfterGap(times, since, gapMs) : firstAtOrAfter(times, since);
      const transitions = events.filter(
        (e) => e.t < eventsFrom && (e.event === 'connected' || e.event === 'notConnected'),
      );
      return {
        events: events.filter((e) => e.t >= eventsFrom),
        connectedBefore: transitions.at(-1)?.event === 'connected',
        connectionState: pc?.connectionState ?? null,
        sequence: sequences.check(),
        messageAt: first(sequences.times()),
        frameAt: first(frameTimes),
      };
    },
    /** Frames the current connection decoded so far (all its inbound video). */
    decodedFrames: () => (pc ? framesDecoded(pc) : Promise.resolve(0)),
    /** The current connection's selected candidate pair; null without one. */
    path: () => (pc ? selectedPath(pc) : Promise.resolve(null)),
  };
}

/**
 * The selected candidate pair of `pc` (as e2e/netns/pages/app.js reads it): candidate types and
 * protocols; null without one, when getStats fails, or when it takes over 2 s (Firefox may never
 * settle one on a connection that is going away). Never throws: the path only annotates a run.
 */
async function selectedPath(pc) {
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 2_000));
  const report = await Promise.race([pc.getStats().catch(() => null), timeout]);
  if (report === null) return null;
  const { local, remote } = selectedCandidates(report);
  if (local === undefined || remote === undefined) return null;
  return {
    local: local.candidateType ?? null,
    remote: remote.candidateType ?? null,
    protocol: local.protocol ?? null,
    relayProtocol: local.relayProtocol ?? null,
  };
}

const started = await Promise.all(Array.from({ length: calls }, (_, i) => startCall(i)));

window.bench = {
  variant,
  peer: peerName,
  calls,
  summary: () => started.map((call) => call.summary()),
  read: (since, gapMs, eventsFrom) => started.map((call) => call.read(since, gapMs, eventsFrom)),
  decodedFrames: () => Promise.all(started.map((call) => call.decodedFrames())),
  paths: () => Promise.all(started.map((call) => call.path())),
  /** restart() on every call at once; returns when it began. */
  restartAll: () => {
    const at = Date.now();
    for (const call of started) call.restart();
    return at;
  },
};
console.log('[rpt] ' + JSON.stringify({ t: Date.now(), event: 'ready', variant, calls }));
