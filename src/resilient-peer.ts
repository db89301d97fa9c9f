// The facade: wires one RTCPeerConnection to detection, the recovery scheduler, the
// perfect-negotiation loop and the signaling outbox, and reports through typed events. Decisions
// live in the modules it wires; this file owns listeners, timers and the order of side effects.

import EventEmitter from 'eventemitter3';
import { systemClock, type Clock } from './clock';
import { ClosedError, errorText, InvalidSignalError, ResilientPeerError } from './errors';
import type { PhaseCause, ResilientPeerEvents } from './events';
import { kickKeyframes } from './keyframe';
import { Negotiator } from './negotiation';
import { DEFAULTS, validateOptions, type Logger, type Options } from './options';
import { PathProbe } from './path-probe';
import { derivePhase, type Phase } from './phase';
import { exponentialBackoff, type Trigger } from './policy';
import { RecoveryScheduler } from './recovery';
import { describeSdp } from './sdp';
import { parseSignal, type SignalingMessage } from './signaling/messages';
import { Outbox } from './signaling/outbox';

/** Probe cadence while recovering: recovery is declared within this long of data returning. */
const RECOVERING_PROBE_MS = 100;
/**
 * A first connection that is negotiated but not connected this long gets an ICE restart. Chromium
 * sometimes gathers no candidates after a polite rollback (both sides offered at once on a fresh
 * call), and would otherwise sit in `new` for good; on a working path ICE connects in well under 1 s.
 */
const CONNECT_TIMEOUT_MS = 4000;
/** After ICE reconnects by itself during an incident, attempts wait this long for the probe. */
const RECONNECTED_SETTLE_MS = 1000;
/** Stall threshold for a call that receives nothing but STUN checks (see #stallThresholdMs). */
const IDLE_STALL_TIMEOUT_MS = 4000;
/** A remote ICE restart this recent makes our own attempt redundant (both saw the same fault). */
const REMOTE_RESTART_WINDOW_MS = 3000;

/** One WebRTC call that notices a broken path, restarts ICE under a policy, and says so. */
export class ResilientPeer extends EventEmitter<ResilientPeerEvents> {
  /** The native connection; add tracks and data channels to it as usual. */
  readonly pc: RTCPeerConnection;
  /** Whether this side yields in an offer collision. */
  readonly polite: boolean;

  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #logSecrets: boolean;
  readonly #disconnectedGraceMs: number;
  readonly #stallTimeoutMs: number;
  readonly #kickKeyframes: boolean;
  readonly #negotiator: Negotiator;
  readonly #scheduler: RecoveryScheduler;
  readonly #outbox: Outbox;
  readonly #probe: PathProbe | null;
  readonly #cleanups: (() => void)[] = [];
  #phase: Phase = 'new';
  #closed = false;
  #everConnected = false;
  #graceTimer: unknown;
  #connectTimer: unknown;
  /** When the path last showed life: probe activity, or the moment it left `connected`. */
  #lastAliveAt: number;
  /** `#lastAliveAt` as it was when the open incident was detected. */
  #incidentLostAt = 0;
  #lastRemoteRestartAt = Number.NEGATIVE_INFINITY;
  /** When media or data (not just STUN) last arrived. */
  #lastPayloadAt = Number.NEGATIVE_INFINITY;
  /** Both native states said connected at the last change. */
  #wasConnected = false;
  /** When the native states returned to connected during the open incident. */
  #reconnectedAt = Number.NEGATIVE_INFINITY;
  /** A keyframe was already asked for in the open incident. */
  #keyframeKicked = false;

  constructor(options: Options) {
    super();
    validateOptions(options);
    this.#clock = systemClock;
    this.#logger = options.logger ?? {};
    this.#logSecrets = options.logSecrets ?? DEFAULTS.logSecrets;
    this.#disconnectedGraceMs = options.disconnectedGraceMs ?? DEFAULTS.disconnectedGraceMs;
    this.#stallTimeoutMs = options.stallTimeoutMs ?? DEFAULTS.stallTimeoutMs;
    this.#kickKeyframes = options.kickKeyframes ?? DEFAULTS.kickKeyframes;
    this.polite = options.polite;
    this.pc = options.pc ?? new RTCPeerConnection(options.rtcConfig ?? {});
    this.#lastAliveAt = this.#clock.now();

    const signaling = options.signaling;
    this.#outbox = new Outbox(signaling, this.pc, (cause) => {
      this.#report(
        new ResilientPeerError(
          'signaling-failed',
          `the signaling channel's send() threw: ${errorText(cause)}`,
          { cause },
        ),
      );
    });
    this.#negotiator = new Negotiator(this.pc, this.polite, this.#clock, {
      send: (message) => {
        this.#sendSignal(message);
      },
      report: (error) => {
        this.#report(error);
      },
      restartNegotiated: () => {
        this.#scheduler.settled();
      },
      remoteRestart: () => {
        this.#lastRemoteRestartAt = this.#clock.now();
      },
      log: (message, data) => {
        this.#log('debug', message, data);
      },
    });
    this.#scheduler = new RecoveryScheduler(this.#clock, options.policy ?? exponentialBackoff(), {
      isOnline: () => navigator.onLine,
      scheduled: (attempt, delayMs, trigger) => {
        this.#emit('restartScheduled', { attempt, delayMs, trigger });
      },
      attempt: (attempt, trigger) => {
        this.#attempt(attempt, trigger);
      },
      gaveUp: (attempts, elapsedMs, policyError) => {
        if (policyError !== undefined) {
          this.#report(
            new ResilientPeerError(
              'policy-threw',
              `the recovery policy failed, giving up: ${errorText(policyError)}`,
              { cause: policyError },
            ),
          );
        }
        this.#updatePhase('gave-up');
        this.#emit('gaveUp', { attempts, elapsedMs });
      },
    });
    this.#probe =
      this.#stallTimeoutMs > 0
        ? new PathProbe(this.pc, this.#clock, (fresh, freshPayload) => {
            this.#onProbe(fresh, freshPayload);
          })
        : null;

    this.#listen(this.pc, 'negotiationneeded', () => {
      void this.#negotiator.onNegotiationNeeded();
    });
    this.#listen(this.pc, 'icecandidate', (event) => {
      this.#onLocalCandidate((event as RTCPeerConnectionIceEvent).candidate);
    });
    this.#listen(this.pc, 'signalingstatechange', () => {
      this.#watchFirstConnection();
    });
    this.#listen(this.pc, 'connectionstatechange', () => {
      this.#onNativeState();
    });
    this.#listen(this.pc, 'iceconnectionstatechange', () => {
      this.#onNativeState();
    });
    this.#listenToNetwork();
    const unsubscribe = signaling.subscribe({
      message: (data) => {
        this.#guard(() => {
          this.#onSignal(data);
        });
      },
      up: () => {
        this.#guard(() => {
          this.#onSignalingUp();
        });
      },
      down: () => {
        this.#log('info', 'signaling down');
      },
    });
    this.#cleanups.push(unsubscribe);

    const signal = options.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.close();
        return;
      }
      this.#listen(signal, 'abort', () => {
        this.close();
      });
    }
    this.#onNativeState();
  }

  /** Where the call is now. */
  get phase(): Phase {
    return this.#phase;
  }

  /** Restarts ICE now, whatever the phase; after a give-up this starts a new incident. */
  restart(): void {
    if (this.#closed) throw new ClosedError('restart');
    // Asked for, not detected: nothing was lost before this moment.
    if (!this.#scheduler.active) this.#incidentLostAt = this.#clock.now();
    this.#scheduler.detect('manual');
    this.#afterDetect();
  }

  /** Closes the connection and removes every listener and timer this object added. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#clearGraceTimer();
    this.#clock.clearTimeout(this.#connectTimer);
    this.#scheduler.dispose();
    this.#probe?.stop();
    this.#negotiator.close();
    this.#outbox.clear();
    this.pc.close();
    this.#updatePhase('closed');
  }

  #onNativeState(): void {
    if (this.#closed) return;
    const { connectionState, iceConnectionState } = this.pc;
    this.#log('debug', 'native state', { connectionState, iceConnectionState });
    if (this.#bothConnected()) {
      if (!this.#wasConnected && this.#scheduler.active) {
        // Back from a native drop during an incident: confirm recovery now rather than at the
        // next tick, so no scheduled attempt slips in between (see #attempt), and ask for a
        // keyframe at once instead of after the probe's confirmation.
        this.#reconnectedAt = this.#clock.now();
        this.#probe?.sampleNow();
        this.#kickKeyframesOnce();
      }
      this.#wasConnected = true;
      this.#everConnected = true;
      this.#clearGraceTimer();
      this.#clock.clearTimeout(this.#connectTimer);
      this.#probe?.run(this.#probeIntervalMs());
      // Without the probe, `connected` is the only sign of recovery we get.
      if (this.#scheduler.active && this.#probe === null) this.#recover();
      // Healed by itself after a give-up: a later fault deserves a fresh incident.
      if (!this.#scheduler.active && this.#scheduler.gaveUp) this.#scheduler.recovered();
    } else {
      this.#wasConnected = false;
      // Without the probe, the last sign of life is the moment the native state left `connected`.
      if (this.#probe === null && this.#phase === 'connected' && !this.#scheduler.active) {
        this.#lastAliveAt = this.#clock.now();
      }
      // Chromium never reports iceConnectionState `failed` (it stays `disconnected`), so both
      // states are watched: connectionState does reach `failed`, ~15 s after a cut.
      if (connectionState === 'failed' || iceConnectionState === 'failed') {
        this.#detect('failed');
      } else if (
        this.#everConnected &&
        (connectionState === 'disconnected' || iceConnectionState === 'disconnected')
      ) {
        this.#startGraceTimer();
      }
    }
    this.#updatePhase('native-state');
  }

  #onProbe(fresh: boolean, freshPayload: boolean): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    if (freshPayload) this.#lastPayloadAt = now;
    if (fresh) {
      this.#lastAliveAt = now;
      if (this.#scheduler.active && this.#bothConnected()) this.#recover();
      return;
    }
    if (
      !this.#scheduler.active &&
      this.#phase === 'connected' &&
      now - this.#lastAliveAt >= this.#stallThresholdMs(now)
    ) {
      this.#detect('stall');
    }
  }

  /**
   * A call that carries media or data receives something every few ms, so silence is a stall
   * after `stallTimeoutMs`. An idle call (a quiet data channel) receives only Chromium's STUN
   * checks, up to ~2.7 s apart (measured), so it gets a longer threshold to avoid false alarms.
   */
  #stallThresholdMs(now: number): number {
    const payloadFlowing =
      now - this.#lastPayloadAt <= this.#stallTimeoutMs + this.#probeIntervalMs();
    return payloadFlowing
      ? this.#stallTimeoutMs
      : Math.max(this.#stallTimeoutMs, IDLE_STALL_TIMEOUT_MS);
  }

  #detect(trigger: Trigger): void {
    if (this.#closed) return;
    if (this.#scheduler.detect(trigger)) this.#log('info', 'recovery started', { trigger });
    this.#afterDetect();
  }

  #afterDetect(): void {
    if (this.#scheduler.active) this.#incidentLostAt ||= this.#lastAliveAt;
    this.#probe?.run(this.#probeIntervalMs());
    this.#updatePhase('detected');
  }

  #attempt(attempt: number, trigger: Trigger): void {
    if (this.#closed) return;
    this.#updatePhase('detected');
    if (
      (attempt === 1 || this.polite) &&
      trigger !== 'manual' &&
      this.#clock.now() - this.#lastRemoteRestartAt < REMOTE_RESTART_WINDOW_MS
    ) {
      // The remote side restarted ICE for the same fault moments ago; a second restart would
      // only send a colliding offer. Its restart is our attempt. During a long outage both
      // sides keep trying; the polite side then leaves the restarts to the other one while it
      // hears them, so one restart stream crosses the signaling channel instead of two.
      this.#log('info', 'remote side already restarted ICE; not offering again');
      this.#emit('restartAttempt', { attempt, trigger });
      this.#scheduler.settled();
      return;
    }
    if (this.#bothConnected() && this.#clock.now() - this.#reconnectedAt < RECONNECTED_SETTLE_MS) {
      // ICE has just come back by itself; a restart now would only tear down the fresh path
      // while the probe is confirming that data flows.
      this.#log('info', 'ICE just reconnected; attempt not needed', { attempt });
      this.#scheduler.settled();
      return;
    }
    this.#negotiator.restartIce();
    this.#log('info', 'ICE restart', { attempt, trigger });
    this.#emit('restartAttempt', { attempt, trigger });
  }

  #recover(): void {
    const summary = this.#scheduler.recovered();
    if (summary === null) return;
    const now = this.#clock.now();
    const lostAt = this.#incidentLostAt || summary.detectedAt;
    this.#incidentLostAt = 0;
    this.#lastAliveAt = now;
    // A remote restart belongs to the incident it answered; a later fault needs its own.
    this.#lastRemoteRestartAt = Number.NEGATIVE_INFINITY;
    this.#probe?.run(this.#probeIntervalMs());
    this.#updatePhase('recovered');
    this.#emit('recovered', {
      trigger: summary.trigger,
      attempts: summary.attempts,
      detectMs: Math.max(0, Math.round(summary.detectedAt - lostAt)),
      downtimeMs: Math.max(0, Math.round(now - lostAt)),
    });
    this.#kickKeyframesOnce();
    this.#keyframeKicked = false;
  }

  /** Makes video senders send a keyframe, once per incident. */
  #kickKeyframesOnce(): void {
    if (!this.#kickKeyframes || this.#keyframeKicked) return;
    this.#keyframeKicked = true;
    kickKeyframes(this.pc).catch((error: unknown) => {
      this.#log('warn', 'keyframe kick failed', { error: errorText(error) });
    });
  }

  #onSignal(data: unknown): void {
    if (this.#closed) return;
    let message: SignalingMessage;
    try {
      message = parseSignal(data);
    } catch (error) {
      this.#report(
        error instanceof ResilientPeerError
          ? error
          : new InvalidSignalError(errorText(error), data),
      );
      return;
    }
    if (message.kind === 'description') {
      this.#log(
        'debug',
        `received ${message.description.type}`,
        this.#sdpForLog(message.description.sdp),
      );
    }
    void this.#negotiator.handle(message, data);
  }

  #onSignalingUp(): void {
    if (this.#closed) return;
    this.#log('info', 'signaling up');
    this.#outbox.flush();
    // Back after an outage of its own: if the path is unwell, the remote side may have missed
    // our restart or may be stuck too, so try at once rather than at the next scheduled time.
    if (this.#scheduler.active || this.#pathUnhealthy()) this.#detect('signaling-restored');
  }

  #onLocalCandidate(candidate: RTCIceCandidate | null): void {
    // The end-of-candidates marker carries nothing the remote needs: trickle ends implicitly.
    if (candidate === null || candidate.candidate === '') return;
    this.#log('debug', 'sending a candidate', { ufrag: candidate.usernameFragment });
    this.#sendSignal({
      kind: 'candidate',
      candidate: {
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid,
        sdpMLineIndex: candidate.sdpMLineIndex,
        usernameFragment: candidate.usernameFragment,
      },
    });
  }

  #sendSignal(message: SignalingMessage): void {
    if (this.#closed) return;
    if (message.kind === 'description') {
      this.#log(
        'debug',
        `sending ${message.description.type}`,
        this.#sdpForLog(message.description.sdp),
      );
    }
    this.#outbox.send(message);
  }

  #listenToNetwork(): void {
    if (typeof window === 'undefined') return;
    this.#listen(window, 'online', () => {
      this.#scheduler.online();
      if (this.#scheduler.active || this.#pathUnhealthy()) this.#detect('network-change');
      else this.#probe?.sampleNow();
    });
    // A changed network (Wi-Fi to cellular, say) may have killed the path before ICE notices;
    // look now instead of at the next probe tick.
    const connection = (navigator as Navigator & { connection?: EventTarget }).connection;
    if (connection !== undefined && typeof connection.addEventListener === 'function') {
      this.#listen(connection, 'change', () => {
        this.#probe?.sampleNow();
      });
    }
  }

  #pathUnhealthy(): boolean {
    return this.#everConnected && !this.#bothConnected();
  }

  #bothConnected(): boolean {
    const { connectionState, iceConnectionState } = this.pc;
    return (
      connectionState === 'connected' &&
      (iceConnectionState === 'connected' || iceConnectionState === 'completed')
    );
  }

  #probeIntervalMs(): number {
    if (this.#scheduler.active) return RECOVERING_PROBE_MS;
    return Math.min(1000, Math.max(100, Math.round(this.#stallTimeoutMs / 3)));
  }

  /** Once offer and answer are applied, the first connection has CONNECT_TIMEOUT_MS to happen. */
  #watchFirstConnection(): void {
    if (this.#everConnected || this.#connectTimer !== undefined) return;
    if (this.pc.signalingState !== 'stable' || this.pc.remoteDescription === null) return;
    this.#connectTimer = this.#clock.setTimeout(() => {
      this.#guard(() => {
        if (!this.#everConnected) this.#detect('connect-timeout');
      });
    }, CONNECT_TIMEOUT_MS);
  }

  #startGraceTimer(): void {
    if (this.#graceTimer !== undefined || this.#scheduler.active) return;
    this.#graceTimer = this.#clock.setTimeout(() => {
      this.#graceTimer = undefined;
      this.#guard(() => {
        const { connectionState, iceConnectionState } = this.pc;
        if (connectionState === 'disconnected' || iceConnectionState === 'disconnected')
          this.#detect('disconnected');
      });
    }, this.#disconnectedGraceMs);
  }

  #clearGraceTimer(): void {
    if (this.#graceTimer !== undefined) this.#clock.clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
  }

  #updatePhase(cause: PhaseCause): void {
    const to = derivePhase({
      closed: this.#closed,
      connectionState: this.pc.connectionState,
      iceConnectionState: this.pc.iceConnectionState,
      recovering: this.#scheduler.active,
      gaveUp: this.#scheduler.gaveUp,
      everConnected: this.#everConnected,
    });
    const from = this.#phase;
    if (to === from) return;
    this.#phase = to;
    this.#log('info', `phase ${from} → ${to}`, { cause });
    this.#emit('phaseChange', { from, to, cause });
  }

  /** Adds a listener that close() removes; an exception in it becomes an `error` event. */
  #listen(target: EventTarget, type: string, handler: (event: Event) => void): void {
    const listener = (event: Event): void => {
      this.#guard(() => {
        handler(event);
      });
    };
    target.addEventListener(type, listener);
    this.#cleanups.push(() => {
      target.removeEventListener(type, listener);
    });
  }

  /** Runs `work`; nothing it throws escapes into a browser event handler. */
  #guard(work: () => void): void {
    try {
      work();
    } catch (cause) {
      this.#report(
        new ResilientPeerError('internal', `internal error: ${errorText(cause)}`, { cause }),
      );
    }
  }

  #report(error: ResilientPeerError): void {
    if (this.#closed) return;
    this.#log('warn', error.message);
    this.#emit('error', { error });
  }

  /** Emits after state is committed; a throwing app listener is rethrown outside our handler. */
  #emit<E extends keyof ResilientPeerEvents>(
    event: E,
    payload: Parameters<ResilientPeerEvents[E]>[0],
  ): void {
    try {
      (this.emit as (event: E, payload: unknown) => boolean)(event, Object.freeze(payload));
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  #sdpForLog(sdp: string): Record<string, unknown> {
    return this.#logSecrets ? { sdp } : { sdp: describeSdp(sdp) };
  }

  #log(level: 'debug' | 'info' | 'warn', message: string, data?: Record<string, unknown>): void {
    try {
      this.#logger[level]?.(message, data);
    } catch {
      // A broken logger must not break the call.
    }
  }
}
