// In-page test harness: two ResilientPeers joined by an in-memory signaling channel that tests
// can take down, bring back, inspect and inject into. Real RTCPeerConnections, real negotiation.
import * as rp from '/dist/resilient-peer.bundle.js';
import { recordEvents } from '/e2e/pages/record-events.js';
import { canvasTrack } from '/e2e/pages/shared/media.js';
import { carrySequence, ChannelSequence } from '/e2e/pages/shared/sequence.js';

/** One end of an in-memory channel; delivery is asynchronous and ordered, like a socket. */
class LoopbackChannel {
  constructor(name) {
    this.name = name;
    this.isUp = true;
    this.other = null;
    this.handlers = new Set();
    this.sent = []; // every message sent, with the time
    this.lost = 0;
  }
  send(message) {
    const text = JSON.stringify(message);
    this.sent.push({ at: performance.now(), message: JSON.parse(text) });
    if (!this.isUp) {
      this.lost += 1; // sent into a dead channel: gone, as over a real one
      return;
    }
    const other = this.other;
    // A macrotask per message keeps order and lets the sender's stack unwind, as a socket does.
    const port = new MessageChannel();
    port.port1.onmessage = () => {
      port.port1.close();
      other.deliver(text);
    };
    port.port2.postMessage(null);
  }
  deliver(data) {
    for (const handler of this.handlers) handler.message(data);
  }
  subscribe(handlers) {
    this.handlers.add(handlers);
    return () => this.handlers.delete(handlers);
  }
  setUp(up) {
    if (this.isUp === up) return;
    this.isUp = up;
    for (const handler of this.handlers) (up ? handler.up : handler.down)();
  }
  offers() {
    return this.sent.filter(
      (s) => s.message.kind === 'description' && s.message.description.type === 'offer',
    );
  }
}

function channelPair() {
  const a = new LoopbackChannel('a');
  const b = new LoopbackChannel('b');
  a.other = b;
  b.other = a;
  return [a, b];
}

/** Records every event of a peer with a timestamp. */
function record(peer) {
  return recordEvents(peer, () => performance.now());
}

/** Creates two connected-to-be peers; options apply to both, `a`/`b` override per side. */
function makePair(options = {}, a = {}, b = {}) {
  const [chA, chB] = channelPair();
  const peerA = new rp.ResilientPeer({ polite: false, signaling: chA, ...options, ...a });
  const peerB = new rp.ResilientPeer({ polite: true, signaling: chB, ...options, ...b });
  const pair = { a: peerA, b: peerB, chA, chB, eventsA: record(peerA), eventsB: record(peerB) };
  window.pair = pair;
  return pair;
}

function ufrag(description) {
  return /^a=ice-ufrag:(\S+)/m.exec(description?.sdp ?? '')?.[1] ?? null;
}

async function selectedPairId(pc) {
  const report = await pc.getStats();
  for (const stats of report.values()) {
    if (stats.type === 'transport' && stats.selectedCandidatePairId)
      return stats.selectedCandidatePairId;
  }
  return null;
}

/** Resolves with the first truthy value of `predicate` (sync or async), checked every frame. */
async function until(predicate, timeoutMs = 10000, label = 'condition') {
  const started = performance.now();
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

/** An ordered data channel pair carrying a numbered sequence from a to b. */
function sequence(pair, { label = 'seq', everyMs = 20 } = {}) {
  const sender = pair.a.pc.createDataChannel(label, { ordered: true });
  const numbers = new ChannelSequence();
  const stop = carrySequence(sender, numbers, { everyMs, receive: false });
  pair.b.pc.addEventListener('datachannel', (event) => {
    if (event.channel.label === label)
      carrySequence(event.channel, numbers, { now: () => performance.now() });
  });
  return {
    get sent() {
      return numbers.sent;
    },
    stop,
    check: () => numbers.check(),
  };
}

window.rp = rp;
window.t = { channelPair, makePair, ufrag, selectedPairId, until, canvasTrack, sequence, record };
window.ready = true;
