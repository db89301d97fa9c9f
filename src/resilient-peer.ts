// The facade: wires the current connection (connection.ts), the recovery incident (incident.ts)
// and the signaling link (signaling/link.ts) to each other, replaces the connection when the
// remote comes back as a new one, and reports through typed events. Decisions live in the modules
// it wires; this file owns the order of side effects, the public API, and logging.

import { Connection, type RemoteTrack } from './connection.js';
import { PeerEmitter } from './emitter.js';
import { browserEnv, listen, type Env } from './env.js';
import { ClosedError, errorText, ResilientPeerError } from './errors.js';
import type { PhaseCause, ReplaceReason } from './events.js';
import { Incident } from './incident.js';
import { DEFAULTS, validateOptions, type Options } from './options.js';
import { derivePhase, type Phase } from './phase.js';
import { exponentialBackoff } from './policy.js';
import { describeSdp } from './sdp.js';
import { SignalingLink } from './signaling/link.js';

/** One WebRTC call that notices a broken path, restarts ICE under a policy, and says so. */
export class ResilientPeer extends PeerEmitter {
  /** Whether this side yields in an offer collision. */
  readonly polite: boolean;
  readonly #env: Env;
  readonly #options: Options;
  readonly #incident: Incident;
  readonly #link: SignalingLink;
  readonly #cleanups: (() => void)[] = [];
  #connection: Connection;
  #remoteLeft = false;
  #phase: Phase = 'new';
  #closed = false;

  constructor(options: Options);
  /** @internal */
  // eslint-disable-next-line @typescript-eslint/unified-signatures -- the second one is stripped from the public types
  constructor(options: Options, env: Env);
  constructor(options: Options, env: Env = browserEnv()) {
    super();
    validateOptions(options);
    this.#env = env;
    this.#options = options;
    this.polite = options.polite;
    this.#incident = new Incident(
      env,
      {
        policy: options.policy ?? exponentialBackoff(),
        polite: options.polite,
        kickKeyframes: options.kickKeyframes ?? DEFAULTS.kickKeyframes,
      },
      {
        connection: () => this.#connection,
        ignoring: () => this.#closed || this.#remoteLeft,
        checkSignaling: () => {
          this.#link.check();
        },
        resendOffer: () => {
          this.#link.resend();
        },
        emit: (event, payload) => {
          this.safeEmit(event, payload);
        },
        updatePhase: (cause) => {
          this.#updatePhase(cause);
        },
        log: (level, message, data) => {
          this.#log(level, message, data);
        },
        policyFailed: (error) => {
          this.#report('policy-threw', 'the recovery policy failed, giving up', error);
        },
      },
    );
    this.#connection = this.#connect(options.pc);
    this.#link = this.#linkTo(this.#connection.session);
    this.#listenToPage();
    const signal = options.signal;
    if (signal?.aborted === true) {
      this.close();
      return;
    }
    if (signal !== undefined) {
      this.#on(signal, 'abort', () => {
        this.close();
      });
    }
    this.#connection.monitor.onNative();
    this.#updatePhase('native-state');
  }

  /** The current RTCPeerConnection; a new one after `connectionReplaced`. */
  get pc(): RTCPeerConnection {
    return this.#connection.pc;
  }

  /** Where the call is now. */
  get phase(): Phase {
    return this.#phase;
  }

  /** Restarts ICE now, whatever the phase; after a give-up this starts a new incident. */
  restart(): void {
    if (this.#closed) throw new ClosedError('restart');
    if (this.pc.remoteDescription === null || this.#remoteLeft) {
      // Nothing to restart yet (or nobody to restart with): Chromium would still fire
      // negotiationneeded for an offer that negotiates nothing.
      this.#log('info', 'restart(): nothing to restart yet');
      return;
    }
    this.#incident.detect('manual');
  }

  /** Tells the remote, closes the connection, and removes every listener and timer it added. */
  close(): void {
    if (this.#closed) return;
    this.#link.bye();
    this.#closed = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#link.close();
    this.#incident.dispose();
    this.#connection.close();
    this.#updatePhase('closed');
  }

  protected override liveTracks(): readonly RemoteTrack[] {
    return this.#connection.tracks;
  }

  #connect(adopted?: RTCPeerConnection): Connection {
    const options = this.#options;
    const incident = this.#incident;
    const pc = adopted ?? this.#env.createPeerConnection(options.rtcConfig ?? {});
    const config = {
      polite: this.polite,
      session: sessionId(this.#env),
      stallTimeoutMs: options.stallTimeoutMs ?? DEFAULTS.stallTimeoutMs,
      disconnectedGraceMs: options.disconnectedGraceMs ?? DEFAULTS.disconnectedGraceMs,
    };
    const connection = new Connection(pc, this.#env, config, {
      detect: (trigger) => {
        incident.detect(trigger);
      },
      evidence: (evidence) => {
        if (!this.#closed) incident.evidence(evidence);
      },
      reconnected: () => {
        incident.reconnected();
      },
      recovering: () => incident.active,
      negotiator: {
        sendDescription: (description) => {
          this.#log('debug', `sending ${description.type}`, this.#sdpForLog(description.sdp));
          this.#link.send({ kind: 'description', description });
        },
        report: (error) => {
          this.#reportError(error);
        },
        restartNegotiated: () => {
          incident.restartNegotiated();
        },
        remoteRestart: (remoteUfrag) => {
          this.#connection.health.lastRemoteRestartAt = this.#env.now();
          this.safeEmit('remoteRestart', { remoteUfrag });
        },
        log: (message, data) => {
          this.#log('debug', message, data);
        },
      },
      localCandidate: (candidate) => {
        this.#link.send({ kind: 'candidate', candidate });
      },
      track: (track) => {
        this.safeEmit('track', track);
      },
      stateChanged: () => {
        this.#updatePhase('native-state');
      },
      guard: (work) => {
        this.#guard(work);
      },
    });
    // The connection is the app's to set up: the first (unless adopted) and every replacement.
    if (adopted === undefined) options.setup?.(pc);
    return connection;
  }

  #linkTo(session: string): SignalingLink {
    return new SignalingLink(this.#options.signaling, this.#env, () => this.pc, session, {
      negotiation: (message, raw) => {
        const { negotiator } = this.#connection;
        if (message.kind === 'candidate') {
          void negotiator.handleCandidate(message.candidate, raw);
          return;
        }
        const { type, sdp } = message.description;
        this.#log('debug', `received ${type}`, this.#sdpForLog(sdp));
        void negotiator.handleDescription(message.description, raw);
      },
      newRemote: () => {
        const { pc, health } = this.#connection;
        // A connection that negotiated with another remote cannot take the new one (a new DTLS
        // fingerprint, new m-lines): start afresh, as for a first connection.
        if (pc.remoteDescription !== null || health.everConnected) this.#replace('remote-rejoined');
      },
      heard: () => {
        this.#connection.negotiator.remoteHeard();
        if (!this.#remoteLeft) return;
        this.#remoteLeft = false;
        this.#updatePhase('native-state');
      },
      remoteLeft: (how) => {
        this.#remoteLeft = true;
        this.#incident.cancel();
        this.#connection.monitor.adjustProbe();
        this.#log('info', 'the remote left', { how });
        this.#updatePhase('remote-left');
        this.safeEmit('remoteLeft', { how });
      },
      stateChange: (up, cause) => {
        this.#log('info', `signaling ${up ? 'up' : 'down'}`, { cause });
        this.safeEmit('signalingChange', { up, cause });
      },
      restored: () => {
        // Back after an outage of its own: if the path is unwell, the remote may have missed our
        // restart or may be stuck too, so try at once rather than at the next scheduled time.
        if (this.#incident.active || this.#connection.monitor.unhealthy) {
          this.#incident.detect('signaling-restored');
        }
      },
      needed: () => this.#incident.active,
      report: (error) => {
        this.#reportError(error);
      },
      log: (message, data) => {
        this.#log('debug', message, data);
      },
    });
  }

  #replace(reason: ReplaceReason): void {
    const previous = this.#connection;
    this.#incident.cancel();
    this.#connection = this.#connect();
    this.#link.session = this.#connection.session;
    previous.close();
    this.#log('info', 'connection replaced', { reason });
    this.#updatePhase('replaced');
    this.safeEmit('connectionReplaced', { pc: this.pc, previous: previous.pc, reason });
  }

  #listenToPage(): void {
    const { window, connection } = this.#env;
    if (window !== undefined) {
      this.#on(window, 'online', () => {
        this.#incident.online();
        this.#onNetworkChange();
      });
      // Every link is gone (Wi-Fi lost): the path is dead whatever ICE says yet. The incident
      // opens now; no attempt is spent until the browser is online again.
      this.#on(window, 'offline', () => {
        if (this.#connection.health.everConnected) this.#incident.detect('network-change');
      });
      // pagehide, not unload: it also fires when the page enters the back/forward cache.
      this.#on(window, 'pagehide', () => {
        this.#link.bye();
      });
    }
    // A changed network (Wi-Fi to cellular, say) may have killed the path before ICE notices.
    if (connection !== undefined) {
      this.#on(connection, 'change', () => {
        this.#onNetworkChange();
      });
    }
  }

  #onNetworkChange(): void {
    this.#link.check();
    const { monitor } = this.#connection;
    if (this.#incident.active || monitor.unhealthy) this.#incident.detect('network-change');
    else monitor.sampleNow();
  }

  /** Adds a listener that close() removes; an exception in it becomes an `error` event. */
  #on(target: EventTarget, type: string, handler: () => void): void {
    this.#cleanups.push(
      listen(target, type, () => {
        this.#guard(handler);
      }),
    );
  }

  #updatePhase(cause: PhaseCause): void {
    const { pc, health } = this.#connection;
    const to = derivePhase({
      closed: this.#closed,
      connectionState: pc.connectionState,
      iceConnectionState: pc.iceConnectionState,
      recovering: this.#incident.active,
      gaveUp: this.#incident.gaveUp,
      everConnected: health.everConnected,
      remoteLeft: this.#remoteLeft,
    });
    const from = this.#phase;
    if (to === from) return;
    this.#phase = to;
    this.#log('info', `phase ${from} → ${to}`, { cause });
    this.safeEmit('phaseChange', { from, to, cause });
  }

  /** Runs `work`; nothing it throws escapes into a browser event handler. */
  #guard(work: () => void): void {
    try {
      work();
    } catch (cause) {
      this.#report('internal', 'internal error', cause);
    }
  }

  #report(code: 'internal' | 'policy-threw', message: string, cause: unknown): void {
    this.#reportError(new ResilientPeerError(code, `${message}: ${errorText(cause)}`, { cause }));
  }

  #reportError(error: ResilientPeerError): void {
    if (this.#closed) return;
    this.#log('warn', error.message);
    this.safeEmit('error', { error });
  }

  #sdpForLog(sdp: string): Record<string, unknown> {
    return (this.#options.logSecrets ?? DEFAULTS.logSecrets) ? { sdp } : { sdp: describeSdp(sdp) };
  }

  #log(level: 'debug' | 'info' | 'warn', message: string, data?: Record<string, unknown>): void {
    try {
      this.#options.logger?.[level]?.(message, data);
    } catch {
      // A broken logger must not break the call.
    }
  }
}

/** A random session id: which of this peer's connections a message belongs to. */
function sessionId(env: Env): string {
  return Array.from({ length: 12 }, () => Math.floor(env.random() * 36).toString(36)).join('');
}
