// The recovery incident around the current connection: opens it on a detection, runs each due
// attempt (an ICE restart, or nothing when something already covered it), decides from evidence
// when it is over, and asks for a keyframe once the path is back. The scheduler (recovery.ts)
// owns the timing; detection.ts the verdicts; this file the order of side effects.

import type { Connection } from './connection.js';
import { attemptVerdict, hasRecovered, type RecoveryEvidence } from './detection.js';
import type { Env } from './env.js';
import { errorText } from './errors.js';
import type { PhaseCause, ResilientPeerEvents } from './events.js';
import { kickKeyframes } from './keyframe.js';
import type { Policy, Trigger } from './policy.js';
import { RecoveryScheduler } from './recovery.js';

/** The open incident's timing; null between incidents. */
interface IncidentTiming {
  /** The last sign of life before detection (detection itself for a manual restart). */
  readonly lostAt: number;
  /** A restart of this incident has been negotiated. */
  restartDone: boolean;
  keyframeKicked: boolean;
}

/** What the incident needs from the facade. */
export interface IncidentHooks {
  readonly connection: () => Connection;
  /** Detections are ignored (closed, or the remote left). */
  readonly ignoring: () => boolean;
  /** Check now that the signaling path works: every restart needs it. */
  readonly checkSignaling: () => void;
  /** Send the pending offer again. */
  readonly resendOffer: () => void;
  readonly emit: <E extends keyof ResilientPeerEvents>(
    event: E,
    payload: Parameters<ResilientPeerEvents[E]>[0],
  ) => void;
  readonly updatePhase: (cause: PhaseCause) => void;
  readonly log: (level: 'info' | 'warn', message: string, data?: Record<string, unknown>) => void;
  readonly policyFailed: (error: unknown) => void;
}

/** See the file comment. */
export class Incident {
  readonly #env: Env;
  readonly #polite: boolean;
  readonly #kickKeyframes: boolean;
  readonly #hooks: IncidentHooks;
  readonly #scheduler: RecoveryScheduler;
  #timing: IncidentTiming | null = null;

  constructor(
    env: Env,
    config: { readonly policy: Policy; readonly polite: boolean; readonly kickKeyframes: boolean },
    hooks: IncidentHooks,
  ) {
    this.#env = env;
    this.#polite = config.polite;
    this.#kickKeyframes = config.kickKeyframes;
    this.#hooks = hooks;
    this.#scheduler = new RecoveryScheduler(env, config.policy, {
      scheduled: (attempt, delayMs, trigger) => {
        hooks.emit('restartScheduled', { attempt, delayMs, trigger });
      },
      attempt: (attempt, trigger) => {
        this.#attempt(attempt, trigger);
      },
      gaveUp: (attempts, elapsedMs, policyError) => {
        if (policyError !== undefined) hooks.policyFailed(policyError);
        this.#timing = null;
        hooks.updatePhase('gave-up');
        hooks.emit('gaveUp', { attempts, elapsedMs });
      },
    });
  }

  /** An incident is open. */
  get active(): boolean {
    return this.#scheduler.active;
  }

  /** The last incident was given up and nothing has recovered since. */
  get gaveUp(): boolean {
    return this.#scheduler.gaveUp;
  }

  /** Something broke (or may have), or the app asked for a restart. */
  detect(trigger: Trigger): void {
    if (this.#hooks.ignoring()) return;
    const { health, monitor } = this.#hooks.connection();
    if (this.#scheduler.detect(trigger)) {
      const lostAt = trigger === 'manual' ? this.#env.now() : health.lastAliveAt;
      this.#timing = { lostAt, restartDone: false, keyframeKicked: false };
      this.#hooks.log('info', 'recovery started', { trigger });
      this.#hooks.checkSignaling();
    }
    monitor.adjustProbe();
    this.#hooks.updatePhase(trigger === 'manual' ? 'restart' : 'detected');
  }

  /** The browser came back online. */
  online(): void {
    this.#scheduler.online();
  }

  /** The current attempt's restart was negotiated. */
  restartNegotiated(): void {
    if (this.#timing !== null) this.#timing.restartDone = true;
    this.#scheduler.settled();
    this.evidence('restart-done');
  }

  /** Something was seen that may end the incident. */
  evidence(evidence: RecoveryEvidence): void {
    const connection = this.#hooks.connection();
    if (!this.#scheduler.active) {
      // Healed by itself after a give-up: a later fault deserves a fresh incident.
      if (this.#scheduler.gaveUp && evidence === 'native-connected') {
        this.#scheduler.recovered();
        this.#hooks.updatePhase('recovered');
      }
      return;
    }
    const recovered = hasRecovered({
      evidence,
      trigger: this.#scheduler.trigger ?? 'manual',
      connected: connection.monitor.connected,
      restartDone: this.#timing?.restartDone ?? false,
      probing: connection.probe !== null,
    });
    if (recovered) this.#recover();
  }

  /** The native states came back during the incident: ask for a keyframe now, once. */
  reconnected(): void {
    const timing = this.#timing;
    if (timing === null || timing.keyframeKicked) return;
    timing.keyframeKicked = true;
    this.#kick();
  }

  /** Ends the incident without recovery (the remote left, or the connection was replaced). */
  cancel(): void {
    this.#scheduler.cancel();
    this.#timing = null;
  }

  dispose(): void {
    this.#scheduler.dispose();
    this.#timing = null;
  }

  #attempt(attempt: number, trigger: Trigger): void {
    if (this.#hooks.ignoring()) return;
    const { negotiator, health, pc } = this.#hooks.connection();
    const now = this.#env.now();
    const verdict = attemptVerdict({ attempt, trigger, polite: this.#polite, now, health });
    if (verdict === 'restart' && pc.signalingState === 'have-local-offer') {
      // The last offer is still unanswered (it may have gone into a socket that was dead): the
      // browser makes no new one until this is settled, so this attempt sends it again.
      this.#hooks.log('info', 'ICE restart: offer still unanswered, sending it again', { attempt });
      this.#hooks.resendOffer();
      this.#hooks.emit('restartAttempt', { attempt, trigger });
      return;
    }
    if (verdict === 'restart' && negotiator.restartIce()) {
      this.#hooks.log('info', 'ICE restart', { attempt, trigger });
      this.#hooks.emit('restartAttempt', { attempt, trigger });
      return;
    }
    this.#hooks.log('info', `attempt ${attempt} not needed`, { verdict });
    if (verdict === 'remote-restarted') this.#hooks.emit('restartAttempt', { attempt, trigger });
    this.#scheduler.settled();
  }

  #recover(): void {
    const summary = this.#scheduler.recovered();
    const timing = this.#timing;
    if (summary === null || timing === null) return;
    const now = this.#env.now();
    this.#timing = null;
    const { health, monitor, probe } = this.#hooks.connection();
    health.lastAliveAt = now;
    // A remote restart belongs to the incident it answered; a later fault needs its own.
    health.lastRemoteRestartAt = null;
    health.reconnectedAt = null;
    monitor.adjustProbe();
    this.#hooks.updatePhase('recovered');
    this.#hooks.emit('recovered', {
      trigger: summary.trigger,
      attempts: summary.attempts,
      detectMs: Math.max(0, Math.round(summary.detectedAt - timing.lostAt)),
      downtimeMs: Math.max(0, Math.round(now - timing.lostAt)),
      path: probe?.path ?? null,
    });
    if (!timing.keyframeKicked) this.#kick();
  }

  #kick(): void {
    if (!this.#kickKeyframes) return;
    kickKeyframes(this.#hooks.connection().pc).catch((error: unknown) => {
      this.#hooks.log('warn', 'keyframe kick failed', { error: errorText(error) });
    });
  }
}
