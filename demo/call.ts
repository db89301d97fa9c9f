// One call in one room: WebSocketSignaling to the relay, a ResilientPeer with the local media and a
// chat channel, and everything they report written into the Store. Uses the public API only.

import { ResilientPeer, WebSocketSignaling, type Logger } from 'resilient-peer';
import { signalingUrl, type PolicyPreset } from './config';
import type { LocalMedia } from './media';
import { watchStats } from './stats';
import type { Store } from './state';

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
type ChatFrame = { readonly type: 'chat'; readonly text: string } | { readonly type: 'bye' };

export class Call {
  readonly #options: CallOptions;
  readonly #signaling: WebSocketSignaling;
  readonly #store: Store;
  #peer: ResilientPeer | null = null;
  #chat: RTCDataChannel | null = null;
  #cleanups: (() => void)[] = [];
  #remoteUfrag: string | null = null;
  #closed = false;

  constructor(options: CallOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#signaling = new WebSocketSignaling({ url: signalingUrl(options.signal, options.room) });
    this.#signaling.on('state', (event) => {
      this.#store.update((s) => {
        s.signaling = { up: event.up, socket: event.socket, peerPresent: event.peerPresent };
      });
      const peer = event.peerPresent ? 'peer present' : 'no peer yet';
      this.#store.log(
        'signaling',
        `${event.up ? 'up' : 'down'} · socket ${event.socket} · ${peer}`,
      );
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
    this.#send({ type: 'bye' });
    this.#stopPeer();
    this.#signaling.close();
    this.#options.media.stop();
    this.#store.update((s) => {
      s.joined = false;
      s.phase = 'closed';
      s.polite = null;
      s.signaling = { up: false, socket: 'closed', peerPresent: false };
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
      ...(this.#options.log ? { logger: CONSOLE_LOGGER } : {}),
    });
    this.#peer = peer;
    this.#remoteUfrag = null;
    this.#store.update((s) => {
      s.polite = polite;
      s.phase = peer.phase;
    });
    this.#store.log('call', `peer connection created (${polite ? 'polite' : 'impolite'})`);
    this.#watchPeer(peer);
    this.#watchNative(peer.pc);
    // Tracks and the channel go in after the ResilientPeer exists: it must see negotiationneeded.
    for (const track of media.stream.getTracks()) peer.pc.addTrack(track, media.stream);
    // Negotiated (same id on both sides), so neither side waits for the other to announce it.
    this.#openChat(peer.pc.createDataChannel('chat', { negotiated: true, id: 0 }));
    this.#cleanups.push(
      watchStats(peer.pc, (stats) => {
        this.#store.update((s) => {
          s.stats = stats;
        });
      }),
    );
  }

  #stopPeer(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#peer?.close();
    this.#peer = null;
    this.#chat = null;
    this.#options.onRemoteStream(null);
    this.#store.update((s) => {
      s.chatOpen = false;
      s.nextAttempt = null;
      s.stats = null;
      const open = this.#store.openIncident();
      if (open) open.outcome = 'abandoned';
    });
  }

  #watchPeer(peer: ResilientPeer): void {
    const store = this.#store;
    peer.on('phaseChange', ({ from, to, cause }) => {
      store.update((s) => {
        s.phase = to;
      });
      store.log('phase', `${from} → ${to} (${cause})`);
      if (to === 'recovering' && store.openIncident() === undefined) store.startIncident('unknown');
    });
    peer.on('restartScheduled', ({ attempt, delayMs, trigger }) => {
      const incident = store.openIncident() ?? store.startIncident(trigger);
      store.update((s) => {
        if (incident.trigger === 'unknown') incident.trigger = trigger;
        s.nextAttempt = { at: performance.now() + delayMs, attempt };
      });
      store.log('recovery', `attempt ${attempt} scheduled in ${delayMs} ms (${trigger})`);
    });
    peer.on('restartAttempt', ({ attempt, trigger }) => {
      const incident = store.openIncident() ?? store.startIncident(trigger);
      store.update((s) => {
        incident.attempts = attempt;
        s.nextAttempt = null;
      });
      store.log('recovery', `attempt ${attempt}: ICE restart (${trigger})`);
    });
    peer.on('recovered', ({ trigger, attempts, detectMs, downtimeMs }) => {
      const incident = store.openIncident() ?? store.startIncident(trigger);
      store.update((s) => {
        Object.assign(incident, { trigger, attempts, detectMs, downtimeMs, outcome: 'recovered' });
        s.nextAttempt = null;
      });
      store.log(
        'recovery',
        `recovered after ${attempts} attempt${attempts === 1 ? '' : 's'}, down ${downtimeMs} ms`,
      );
    });
    peer.on('gaveUp', ({ attempts, elapsedMs }) => {
      const incident = store.openIncident() ?? store.startIncident('unknown');
      store.update((s) => {
        Object.assign(incident, { attempts, outcome: 'gave-up' });
        s.nextAttempt = null;
      });
      store.log('recovery', `gave up after ${attempts} attempts, ${elapsedMs} ms`);
    });
    peer.on('error', ({ error }) => {
      console.warn('resilient-peer:', error);
      store.log('error', `${error.code}: ${error.message}`);
    });
  }

  #watchNative(pc: RTCPeerConnection): void {
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
    listen('signalingstatechange', () => {
      this.#noticeRemoteRestart(pc);
    });
    const onTrack = (event: RTCTrackEvent): void => {
      const [stream] = event.streams;
      if (stream) this.#options.onRemoteStream(stream);
    };
    pc.addEventListener('track', onTrack);
    this.#cleanups.push(() => {
      pc.removeEventListener('track', onTrack);
    });
    store.update((s) => {
      s.connectionState = pc.connectionState;
      s.iceConnectionState = pc.iceConnectionState;
    });
  }

  /**
   * The library reports only this side's restarts. A remote offer with new ICE credentials means
   * the peer restarted ICE; show it, so both pages tell the same story.
   */
  #noticeRemoteRestart(pc: RTCPeerConnection): void {
    const ufrag = /^a=ice-ufrag:(\S+)/m.exec(pc.remoteDescription?.sdp ?? '')?.[1] ?? null;
    if (ufrag === null || ufrag === this.#remoteUfrag) return;
    const before = this.#remoteUfrag;
    this.#remoteUfrag = ufrag;
    if (before === null || pc.signalingState !== 'have-remote-offer') return;
    if (this.#store.openIncident() !== undefined) {
      this.#store.log('recovery', 'peer restarted ICE too');
      return;
    }
    const incident = this.#store.startIncident('peer');
    this.#store.log('recovery', 'peer restarted ICE');
    this.#store.update(() => {
      incident.outcome = 'renegotiated';
    });
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
      } else if (frame.type === 'chat') {
        this.#store.update((s) => s.chat.push({ at: Date.now(), from: 'peer', text: frame.text }));
      } else {
        this.#store.update((s) =>
          s.chat.push({ at: Date.now(), from: 'system', text: 'Peer left' }),
        );
        this.#store.log('call', 'peer left; waiting for someone to join');
        if (this.#peer !== null) this.#startPeer(this.#peer.polite);
      }
    };
  }

  #send(frame: ChatFrame): boolean {
    if (this.#chat?.readyState !== 'open') return false;
    this.#chat.send(JSON.stringify(frame));
    return true;
  }
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
  if (frame.type === 'bye') return { type: 'bye' };
  if (frame.type === 'chat' && typeof frame.text === 'string') {
    return { type: 'chat', text: frame.text.slice(0, 500) };
  }
  return null;
}
