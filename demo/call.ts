// One call in one room: WebSocketSignaling to the relay, a ResilientPeer with the local media and a
// chat channel, and everything they report written into the Store. Uses the public API only.

import { ResilientPeer, WebSocketSignaling, type Logger } from 'resilient-peer';
import { signalingUrl, type PolicyPreset } from './config';
import type { LocalMedia } from './media';
import { watchStats } from './stats';
import type { Incident, Store } from './state';

/** A peer's ICE restart this close to one of ours belongs to the same incident. */
const FOLD_MS = 5000;
/** Relay errors are routine while the channel is down briefly; alarming after this long. */
const SIGNALING_GRACE_MS = 5000;
/** The library's default stall threshold (the demo does not change it). */
const STALL_MS = 1500;

export interface CallOptions {
  readonly room: string;
  /** The relay's URL without the room. */
  readonly signal: string;
  readonly policy: PolicyPreset;
  /** Print the library's log lines to the console. */
  readonly log: boolean;
  readonly media: LocalMedia;
  readonly store: Store;
  /** The remote stream arrived, or went away (null). */
  readonly onRemoteStream: (stream: MediaStream | null) => void;
}

/** `?log=1`: the library's debug lines, for whoever is chasing a problem. */
const CONSOLE_LOGGER: Logger = {
  debug: (message, data) => {
    // eslint-disable-next-line no-console -- opt-in debug output
    console.debug('[resilient-peer]', message, data ?? '');
  },
  info: (message, data) => {
    // eslint-disable-next-line no-console -- opt-in debug output
    console.info('[resilient-peer]', message, data ?? '');
  },
  warn: (message, data) => {
    console.warn('[resilient-peer]', message, data ?? '');
  },
};

/** What travels on the chat channel. */
interface ChatFrame {
  readonly type: 'chat';
  readonly text: string;
}

export class Call {
  readonly #options: CallOptions;
  readonly #signaling: WebSocketSignaling;
  readonly #store: Store;
  #peer: ResilientPeer | null = null;
  #chat: RTCDataChannel | null = null;
  /** What watches the current RTCPeerConnection; replaced with it. */
  #cleanups: (() => void)[] = [];
  #closed = false;
  /** The attempt number of the last restartScheduled in the open incident. */
  #lastScheduled: number | null = null;
  #signalingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: CallOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#signaling = new WebSocketSignaling({ url: signalingUrl(options.signal, options.room) });
    this.#signaling.on('state', (event) => {
      const wasDown = this.#store.state.signalingDownSince !== null;
      this.#store.update((s) => {
        s.signaling = { up: event.up, socket: event.socket, peerPresent: event.peerPresent };
        s.signalingDownSince = event.up ? null : (s.signalingDownSince ?? Date.now());
      });
      const peer = event.peerPresent ? 'peer present' : 'no peer yet';
      this.#store.log(
        'signaling',
        `${event.up ? 'up' : 'down'} · socket ${event.socket} · ${peer}`,
      );
      if (event.up) {
        clearTimeout(this.#signalingTimer);
        this.#signalingTimer = undefined;
      } else if (!wasDown) {
        this.#signalingTimer = setTimeout(() => {
          if (this.#closed || this.#store.state.signalingDownSince === null) return;
          this.#store.log('error', `signaling down for over ${SIGNALING_GRACE_MS / 1000} s`);
        }, SIGNALING_GRACE_MS);
      }
    });
    this.#signaling.on('welcome', ({ polite }) => {
      // The relay gives the first in a room the impolite role. If this side came back to an
      // empty room in the other role, the old peer connection is useless: start a fresh one.
      if (this.#peer !== null && this.#peer.polite !== polite) {
        this.#store.log('call', `relay made this side ${polite ? 'polite' : 'impolite'}; new call`);
        this.#startPeer(polite);
      }
    });
    this.#signaling.on('error', ({ error }) => {
      // "Relay error: no peer in room" and the like are routine while the peer's socket
      // reconnects; only a channel that stays down makes them worth alarm.
      const since = this.#store.state.signalingDownSince;
      const routine =
        error.code === 'signaling-failed' &&
        (since === null || Date.now() - since < SIGNALING_GRACE_MS);
      if (routine) {
        // eslint-disable-next-line no-console -- routine, but useful to whoever reads the console
        console.info('signaling:', error.message);
        this.#store.log('signaling', error.message.replace(/^Relay error: /, 'relay: '));
        return;
      }
      console.warn('signaling:', error);
      this.#store.log('error', `signaling: ${error.message}`);
    });
    this.#store.update((s) => {
      s.joined = true;
      s.room = options.room;
      s.phase = 'new';
    });
    this.#store.log('call', `joining room “${options.room}” via ${options.signal}`);
    this.#signaling
      .ready()
      .then(({ polite }) => {
        // Synchronously after the welcome, so no signal from the remote peer arrives unheard.
        if (!this.#closed) this.#startPeer(polite);
      })
      .catch(() => {
        // Rejected only when left before the relay answered.
      });
  }

  /** Restarts ICE now (the "Force ICE restart" button). */
  restart(): void {
    this.#peer?.restart();
  }

  /** Sends one chat line; false when the channel is not open. */
  say(text: string): boolean {
    if (!this.#send({ type: 'chat', text })) return false;
    this.#store.update((s) => s.chat.push({ at: Date.now(), from: 'me', text }));
    return true;
  }

  /** Says goodbye to the peer and releases everything. Idempotent. */
  leave(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#signalingTimer);
    // The library tells the remote side (its `bye`), so that side shows "left", not a fault.
    this.#stopPeer();
    this.#signaling.close();
    this.#options.media.stop();
    this.#store.update((s) => {
      s.joined = false;
      s.phase = 'closed';
      s.polite = null;
      s.signaling = { up: false, socket: 'closed', peerPresent: false };
      s.signalingDownSince = null;
    });
    this.#store.log('call', 'left the room');
  }

  #startPeer(polite: boolean): void {
    this.#stopPeer();
    const { media, policy } = this.#options;
    const peer = new ResilientPeer({
      polite,
      signaling: this.#signaling,
      policy: policy.create(),
      rtcConfig: { iceServers: [] },
      // Every connection is set up the same way: the first and any the library makes to replace
      // it (when the other side comes back with a new page, say).
      setup: (pc) => {
        for (const track of media.stream.getTracks()) pc.addTrack(track, media.stream);
        // Negotiated (same id on both sides), so neither side waits for the other to announce it.
        this.#openChat(pc.createDataChannel('chat', { negotiated: true, id: 0 }));
      },
      ...(this.#options.log ? { logger: CONSOLE_LOGGER } : {}),
    });
    this.#peer = peer;
    this.#lastScheduled = null;
    this.#store.update((s) => {
      s.polite = polite;
      s.phase = peer.phase;
    });
    this.#store.log('call', `peer connection created (${polite ? 'polite' : 'impolite'})`);
    this.#watchPeer(peer);
    this.#watchConnection(peer.pc);
  }

  #stopPeer(): void {
    this.#unwatchConnection();
    this.#peer?.close();
    this.#peer = null;
    this.#chat = null;
    this.#options.onRemoteStream(null);
    this.#store.update((s) => {
      s.chatOpen = false;
      s.nextAttempt = null;
      s.stats = null;
      s.lastInboundAt = null;
    });
    const open = this.#store.openIncident();
    if (open) this.#store.closeIncident(open, 'abandoned');
  }

  /**
   * The incident this side's detection belongs to: the open one, or a peer restart moments ago
   * (the peer noticed the same fault first), or a new one. Records when detection happened.
   */
  #localIncident(trigger: Incident['trigger']): Incident {
    const store = this.#store;
    let incident = store.openIncident();
    if (incident === undefined) {
      const recent = store.recentIncident(FOLD_MS);
      if (recent?.trigger === 'peer') {
        incident = recent;
        store.update(() => {
          recent.outcome = 'recovering';
          recent.closedAt = null;
          recent.trigger = trigger;
        });
      } else {
        incident = store.startIncident(trigger);
      }
    }
    const open = incident;
    store.update((s) => {
      if (open.trigger === 'unknown' || open.trigger === 'peer') open.trigger = trigger;
      if (open.detectedAt === null) {
        open.detectedAt = Date.now();
        open.lastAliveAt = s.lastInboundAt;
      }
      open.detectEstimateMs ??= estimateDetect(open.trigger, open.detectedAt, open.lastAliveAt);
    });
    return open;
  }

  #watchPeer(peer: ResilientPeer): void {
    const store = this.#store;
    peer.on('phaseChange', ({ from, to, cause }) => {
      store.update((s) => {
        s.phase = to;
      });
      store.log('phase', `${from} → ${to} (${cause})`);
      if (to === 'recovering') this.#localIncident(store.openIncident()?.trigger ?? 'unknown');
    });
    peer.on('restartScheduled', ({ attempt, delayMs, trigger }) => {
      this.#localIncident(trigger);
      store.update((s) => {
        s.nextAttempt = { at: performance.now() + delayMs, attempt };
      });
      const again = attempt === this.#lastScheduled;
      this.#lastScheduled = attempt;
      store.log(
        'recovery',
        again
          ? `attempt ${attempt} rescheduled in ${delayMs} ms (${trigger})`
          : `attempt ${attempt} scheduled in ${delayMs} ms (${trigger})`,
      );
    });
    peer.on('restartAttempt', ({ attempt, trigger }) => {
      const incident = this.#localIncident(trigger);
      store.update((s) => {
        incident.attempts = attempt;
        s.nextAttempt = null;
      });
      store.log('recovery', `attempt ${attempt}: ICE restart (${trigger})`);
    });
    peer.on('recovered', ({ trigger, attempts, detectMs, downtimeMs }) => {
      const incident = this.#localIncident(trigger);
      this.#lastScheduled = null;
      store.update((s) => {
        Object.assign(incident, { trigger, attempts, detectMs, downtimeMs });
        s.nextAttempt = null;
      });
      store.closeIncident(incident, 'recovered');
      store.log(
        'recovery',
        `recovered after ${attempts} attempt${attempts === 1 ? '' : 's'}, down ${downtimeMs} ms`,
      );
    });
    peer.on('gaveUp', ({ attempts, elapsedMs }) => {
      const incident = this.#localIncident('unknown');
      this.#lastScheduled = null;
      store.update((s) => {
        incident.attempts = attempts;
        s.nextAttempt = null;
      });
      store.closeIncident(incident, 'gave-up');
      store.log('recovery', `gave up after ${attempts} attempts, ${elapsedMs} ms`);
    });
    peer.on('remoteRestart', () => {
      this.#noticeRemoteRestart();
    });
    peer.on('track', ({ streams: [stream] }) => {
      if (stream) this.#options.onRemoteStream(stream);
    });
    peer.on('remoteLeft', () => {
      this.#options.onRemoteStream(null);
      store.update((s) => s.chat.push({ at: Date.now(), from: 'system', text: 'Peer left' }));
      store.log('call', 'peer left; waiting for someone to join');
    });
    peer.on('connectionReplaced', ({ pc, reason }) => {
      store.log('call', `new peer connection (${reason})`);
      this.#watchConnection(pc);
    });
    peer.on('signalingChange', ({ up, cause }) => {
      store.log('signaling', `end to end ${up ? 'up' : 'down'} (${cause})`);
    });
    peer.on('error', ({ error }) => {
      console.warn('resilient-peer:', error);
      store.log('error', `${error.code}: ${error.message}`);
    });
  }

  /** Follows one RTCPeerConnection's native states and stats, until the next one replaces it. */
  #watchConnection(pc: RTCPeerConnection): void {
    this.#unwatchConnection();
    const store = this.#store;
    const listen = (type: string, handler: () => void): void => {
      pc.addEventListener(type, handler);
      this.#cleanups.push(() => {
        pc.removeEventListener(type, handler);
      });
    };
    listen('connectionstatechange', () => {
      store.update((s) => {
        s.connectionState = pc.connectionState;
      });
      store.log('connection', pc.connectionState);
    });
    listen('iceconnectionstatechange', () => {
      store.update((s) => {
        s.iceConnectionState = pc.iceConnectionState;
      });
      store.log('ice', pc.iceConnectionState);
    });
    this.#cleanups.push(
      watchStats(pc, (stats) => {
        store.update((s) => {
          s.stats = stats;
          if (stats.receiving) s.lastInboundAt = Date.now();
        });
      }),
    );
    store.update((s) => {
      s.connectionState = pc.connectionState;
      s.iceConnectionState = pc.iceConnectionState;
    });
  }

  #unwatchConnection(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  /**
   * The peer restarted ICE: show it, so both pages tell the same story. Within a few seconds of
   * this side's own incident it is the same fault seen from the other end: fold it in.
   */
  #noticeRemoteRestart(): void {
    const recent = this.#store.recentIncident(FOLD_MS);
    if (recent !== undefined) {
      this.#store.update(() => {
        recent.peerRestarts += 1;
      });
      this.#store.log('recovery', 'peer restarted ICE too');
      return;
    }
    const incident = this.#store.startIncident('peer');
    this.#store.log('recovery', 'peer restarted ICE');
    this.#store.update(() => {
      incident.peerRestarts = 1;
    });
    this.#store.closeIncident(incident, 'renegotiated');
  }

  #openChat(channel: RTCDataChannel): void {
    this.#chat = channel;
    const setOpen = (): void => {
      this.#store.update((s) => {
        s.chatOpen = channel.readyState === 'open';
      });
    };
    channel.onopen = setOpen;
    channel.onclose = setOpen;
    channel.onmessage = ({ data }: MessageEvent<unknown>) => {
      const frame = parseFrame(data);
      if (frame === null) {
        this.#store.log('error', 'chat: ignored a malformed message');
        return;
      }
      this.#store.update((s) => s.chat.push({ at: Date.now(), from: 'peer', text: frame.text }));
    };
  }

  #send(frame: ChatFrame): boolean {
    if (this.#chat?.readyState !== 'open') return false;
    this.#chat.send(JSON.stringify(frame));
    return true;
  }
}

/**
 * How long after the last sign of life this side detected the fault, from the once-a-second stats
 * samples; null when the trigger is not about silence (manual, network change, …).
 */
function estimateDetect(
  trigger: Incident['trigger'],
  detectedAt: number,
  lastInboundAt: number | null,
): number | null {
  if (trigger === 'stall') {
    return Math.max(STALL_MS, lastInboundAt === null ? 0 : detectedAt - lastInboundAt);
  }
  if (trigger !== 'disconnected' && trigger !== 'failed') return null;
  return lastInboundAt === null ? null : Math.max(0, detectedAt - lastInboundAt);
}

function parseFrame(data: unknown): ChatFrame | null {
  if (typeof data !== 'string' || data.length > 10_000) return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const frame = value as Record<string, unknown>;
  if (frame.type === 'chat' && typeof frame.text === 'string') {
    return { type: 'chat', text: frame.text.slice(0, 500) };
  }
  return null;
}
