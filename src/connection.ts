// One RTCPeerConnection and everything that lives exactly as long as it: its listeners, its
// perfect-negotiation loop, its stats probe and monitor, its path health and the remote tracks it
// delivered. Replacing the connection means closing one of these and making another.

import { newPathHealth, type PathHealth } from './detection.js';
import { listen, type Env } from './env.js';
import { Monitor, type MonitorConfig, type MonitorHooks } from './monitor.js';
import { Negotiator, type NegotiatorHooks } from './negotiation.js';
import { PathProbe } from './path-probe.js';
import type { CandidateMessage } from './signaling/messages.js';

/** A remote track as the app receives it. */
export interface RemoteTrack {
  readonly track: MediaStreamTrack;
  readonly streams: readonly MediaStream[];
  readonly transceiver: RTCRtpTransceiver;
  /** The connection that received it. */
  readonly pc: RTCPeerConnection;
}

/** What a connection tells its owner. */
export interface ConnectionHooks extends MonitorHooks {
  readonly negotiator: NegotiatorHooks;
  readonly localCandidate: (candidate: CandidateMessage['candidate']) => void;
  readonly track: (track: RemoteTrack) => void;
  /** A native or signaling state changed (the phase may have). */
  readonly stateChanged: () => void;
  /** Runs a listener's work; nothing it throws escapes into a browser event handler. */
  readonly guard: (work: () => void) => void;
}

/** What a connection is made with. */
export interface ConnectionConfig extends MonitorConfig {
  readonly polite: boolean;
  /** This connection's session id, stamped on everything it sends. */
  readonly session: string;
}

/** See the file comment. */
export class Connection {
  readonly pc: RTCPeerConnection;
  readonly session: string;
  readonly health: PathHealth;
  readonly negotiator: Negotiator;
  readonly probe: PathProbe | null;
  readonly monitor: Monitor;
  readonly #tracks: RemoteTrack[] = [];
  readonly #cleanups: (() => void)[] = [];
  #closed = false;

  constructor(pc: RTCPeerConnection, env: Env, config: ConnectionConfig, hooks: ConnectionHooks) {
    this.pc = pc;
    this.session = config.session;
    this.health = newPathHealth(env.now());
    this.negotiator = new Negotiator(pc, config.polite, env, hooks.negotiator);
    this.probe =
      config.stallTimeoutMs > 0
        ? new PathProbe(pc, env, (delta) => {
            hooks.guard(() => {
              if (!this.#closed) this.monitor.onSample(delta);
            });
          })
        : null;
    this.monitor = new Monitor(this, env, config, hooks);
    const on = (type: string, handler: (event: Event) => void): void => {
      this.#cleanups.push(
        listen(pc, type, (event) => {
          hooks.guard(() => {
            if (!this.#closed) handler(event);
          });
        }),
      );
    };
    on('negotiationneeded', () => {
      void this.negotiator.onNegotiationNeeded();
    });
    on('icecandidate', (event) => {
      const { candidate } = event as RTCPeerConnectionIceEvent;
      // The end-of-candidates marker carries nothing the remote needs: trickle ends implicitly.
      if (candidate === null || candidate.candidate === '') return;
      hooks.localCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid,
        sdpMLineIndex: candidate.sdpMLineIndex,
        usernameFragment: candidate.usernameFragment,
      });
    });
    on('signalingstatechange', () => {
      this.monitor.onSignalingState();
      hooks.stateChanged();
    });
    for (const type of ['connectionstatechange', 'iceconnectionstatechange']) {
      on(type, () => {
        this.monitor.onNative();
        hooks.stateChanged();
      });
    }
    on('track', (event) => {
      const { track, streams, transceiver } = event as RTCTrackEvent;
      const remote: RemoteTrack = Object.freeze({ track, streams: [...streams], transceiver, pc });
      this.#tracks.push(remote);
      hooks.track(remote);
    });
  }

  /** The remote tracks this connection delivered that are still live. */
  get tracks(): readonly RemoteTrack[] {
    return this.#tracks.filter((remote) => remote.track.readyState === 'live');
  }

  /** Removes every listener and timer, and closes the RTCPeerConnection. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.monitor.stop();
    this.negotiator.close();
    this.pc.close();
  }
}
