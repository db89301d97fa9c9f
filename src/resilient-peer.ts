// The facade: builds the current connection (connection.ts), the recovery incident (incident.ts)
// and the signaling link (signaling/link.ts), wires them to each other (wiring.ts), replaces the
// connection when the remote comes back as a new one or the transport died, and reports through
// typed events. Decisions live in the modules it wires; this file owns the order of side
// effects, the public API, the phase, and logging.

import { Connection, type RemoteTrack } from './connection.js';
import { PeerEmitter } from './emitter.js';
import { browserEnv, listen, watchPage, type Env } from './env.js';
import { ClosedError, errorText, ResilientPeerError } from './errors.js';
import { IceServers } from './escalation.js';
import type { PhaseCause, ReplaceReason } from './events.js';
import { Incident } from './incident.js';
import { DEFAULTS, validateOptions, type Options } from './options.js';
import { derivePhase, type Phase } from './phase.js';
import { exponentialBackoff } from './policy.js';
import { describeSdp } from './sdp.js';
import { SignalingLink } from './signaling/link.js';
import { connectionHooks, incidentHooks, linkHooks, pageEvents, type PeerCore } from './wiring.js';

/** One WebRTC call that notices a broken path, restarts ICE under a policy, and says so. */
export class ResilientPeer extends PeerEmitter {
  /** Whether this side yields in an offer collision. */
  readonly polite: boolean;
  readonly #env: Env;
  readonly #options: Options;
  readonly #core: PeerCore;
  readonly #iceServers: IceServers;
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
    this.#core = this.#makeCore();
    const report = this.#core.report;
    this.#iceServers = new IceServers(
      options.getIceServers,
      options.rtcConfig?.iceServers,
      env,
      report,
    );
    this.#incident = new Incident(
      env,
      {
        policy: options.policy ?? exponentialBackoff(),
        polite: options.polite,
        kickKeyframes: options.kickKeyframes ?? DEFAULTS.kickKeyframes,
        relayAfterRestarts: options.relayAfterRestarts ?? DEFAULTS.relayAfterRestarts,
        iceServers: this.#iceServers,
        iceTransportPolicy:
          options.rtcConfig?.iceTransportPolicy ??
          options.pc?.getConfiguration().iceTransportPolicy ??
          'all',
      },
      incidentHooks(this.#core),
    );
    this.#connection = this.#connect(options.pc);
    this.#link = new SignalingLink(
      options.signaling,
      env,
      () => this.pc,
      this.#connection.session,
      linkHooks(this.#core),
    );
    this.#cleanups.push(watchPage(env, pageEvents(this.#core), this.#core.guard));
    const signal = options.signal;
    if (signal?.aborted === true) {
      this.close();
      return;
    }
    if (signal !== undefined) {
      this.#cleanups.push(
        listen(signal, 'abort', () => {
          this.#core.guard(() => {
            this.close();
          });
        }),
      );
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

  /** The facade as its wiring sees it. */
  #makeCore(): PeerCore {
    return {
      env: this.#env,
      connection: () => this.#connection,
      incident: () => this.#incident,
      link: () => this.#link,
      idle: () => this.#closed || this.#remoteLeft,
      remoteLeft: () => this.#remoteLeft,
      setRemoteLeft: (left) => {
        this.#remoteLeft = left;
      },
      replace: (reason) => {
        this.#replace(reason);
      },
      updatePhase: (cause) => {
        this.#updatePhase(cause);
      },
      emit: (event, payload) => {
        this.safeEmit(event, payload);
      },
      log: (level, message, data) => {
        this.#log(level, message, data);
      },
      logSdp: (what, sdp) => {
        const secrets = this.#options.logSecrets ?? DEFAULTS.logSecrets;
        this.#log('debug', what, { sdp: secrets ? sdp : describeSdp(sdp) });
      },
      report: (error) => {
        this.#reportError(error);
      },
      policyFailed: (cause) => {
        this.#report('policy-threw', 'the recovery policy failed, giving up', cause);
      },
      guard: (work) => {
        try {
          work();
        } catch (cause) {
          this.#report('internal', 'internal error', cause);
        }
      },
    };
  }

  #connect(adopted?: RTCPeerConnection): Connection {
    const options = this.#options;
    const iceServers = this.#iceServers.latest;
    const pc =
      adopted ??
      this.#env.createPeerConnection({
        ...options.rtcConfig,
        ...(iceServers === undefined ? {} : { iceServers: [...iceServers] }),
      });
    const config = {
      polite: this.polite,
      session: sessionId(this.#env),
      stallTimeoutMs: options.stallTimeoutMs ?? DEFAULTS.stallTimeoutMs,
      disconnectedGraceMs: options.disconnectedGraceMs ?? DEFAULTS.disconnectedGraceMs,
    };
    const connection = new Connection(pc, this.#env, config, connectionHooks(this.#core));
    // The connection is the app's to set up: the first (unless adopted) and every replacement.
    if (adopted === undefined) options.setup?.(pc);
    return connection;
  }

  #replace(reason: ReplaceReason): void {
    const previous = this.#connection;
    // What the old connection looked like, for the log: read before it is closed.
    const { pc: old } = previous;
    const was = {
      connectionState: old.connectionState,
      iceConnectionState: old.iceConnectionState,
      sctp: old.sctp?.state ?? null,
      dtls: old.sctp?.transport.state ?? null,
    };
    // A remote that had left comes back to a new call; otherwise the open incident goes on and
    // ends with `recovered` once the new connection carries the call.
    if (this.#remoteLeft) this.#incident.cancel();
    else if (reason === 'remote-rejoined') this.#incident.replacing('remote');
    this.#connection = this.#connect();
    if (reason === 'transport-failed') this.#link.startOver(this.#connection.session);
    else this.#link.session = this.#connection.session;
    previous.close();
    this.#connection.monitor.adjustProbe();
    this.#log('info', 'connection replaced', { reason, ...was });
    this.#updatePhase('replaced');
    this.safeEmit('connectionReplaced', { pc: this.pc, previous: previous.pc, reason });
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

  #report(code: 'internal' | 'policy-threw', message: string, cause: unknown): void {
    this.#reportError(new ResilientPeerError(code, `${message}: ${errorText(cause)}`, { cause }));
  }

  #reportError(error: ResilientPeerError): void {
    if (this.#closed) return;
    this.#log('warn', error.message);
    this.safeEmit('error', { error });
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
