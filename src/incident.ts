// The recovery incident around the current connection: opens it on a detection, runs each due
// attempt on the rung the escalation ladder says (escalation.ts) — an ICE restart, the same through
// TURN only, or nothing when something already covered it — decides from evidence when it is
// over, and asks for a keyframe once the path is back. The scheduler (recovery.ts) owns the
// timing; detection.ts the verdicts; this file the order of side effects.

import type { Connection } from './connection.js';
import { attemptVerdict, hasRecovered, type RecoveryEvidence } from './detection.js';
import type { Env } from './env.js';
import { errorText } from './errors.js';
import type { Rung } from './escalation.js';
import type { PhaseCause, ResilientPeerEvents } from './events.js';
import { kickKeyframes } from './keyframe.js';
import type { Policy, Trigger } from './policy.js';
import {
  activityForMs,
  newIncidentState,
  noteActivity,
  type IncidentState,
} from './incident-state.js';
import { RecoveryScheduler } from './recovery.js';
import { RestartSettings, type RestartSettingsConfig } from './restart-settings.js';

/** What the incident needs from the facade. */
export interface IncidentHooks {
  readonly connection: () => Connection;
  /** Detections are ignored (closed, or the remote left). */
  readonly ignoring: () => boolean;
  /** Check now that the signaling path works: every restart needs it. */
  readonly checkSignaling: () => void;
  /** The media path works again: signaling that is down may reconnect now. */
  readonly pathBack: () => void;
  /** Send the pending offer again. */
  readonly resendOffer: () => void;
  /** Replace the connection again: the last replacement did not connect. */
  readonly replaceConnection: () => void;
  readonly emit: <E extends keyof ResilientPeerEvents>(
    event: E,
    payload: Parameters<ResilientPeerEvents[E]>[0],
  ) => void;
  readonly updatePhase: (cause: PhaseCause) => void;
  readonly log: (level: 'info' | 'warn', message: string, data?: Record<string, unknown>) => void;
  readonly policyFailed: (error: unknown) => void;
}

/** How the incident is configured. */
export interface IncidentConfig extends RestartSettingsConfig {
  readonly policy: Policy;
  readonly polite: boolean;
  readonly kickKeyframes: boolean;
}

/** See the file comment. */
export class Incident {
  readonly #env: Env;
  readonly #config: IncidentConfig;
  readonly #hooks: IncidentHooks;
  readonly #scheduler: RecoveryScheduler;
  readonly #settings: RestartSettings;
  #state: IncidentState | null = null;

  constructor(env: Env, config: IncidentConfig, hooks: IncidentHooks) {
    this.#env = env;
    this.#config = config;
    this.#hooks = hooks;
    this.#settings = new RestartSettings(config, (message, data) => {
      hooks.log('warn', message, data);
    });
    this.#scheduler = new RecoveryScheduler(env, config.policy, {
      scheduled: (attempt, delayMs, trigger) => {
        hooks.emit('restartScheduled', { attempt, delayMs, trigger });
      },
      attempt: (attempt, trigger) => {
        this.#attempt(attempt, trigger);
      },
      gaveUp: (attempts, elapsedMs, policyError) => {
        if (policyError !== undefined) hooks.policyFailed(policyError);
        this.#state = null;
        hooks.updatePhase('gave-up');
        hooks.emit('gaveUp', { attempts, elapsedMs });
      },
      rung: () => this.#nextRung(),
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
    this.#open(trigger, trigger === 'manual' ? this.#env.now() : health.lastAliveAt);
    monitor.adjustProbe();
    this.#hooks.updatePhase(trigger === 'manual' ? 'restart' : 'detected');
  }

  /**
   * The connection is being replaced: `self` because its transport is gone (the incident goes on,
   * or opens), `remote` because the remote came with a new one (an open incident goes on).
   */
  replacing(by: 'self' | 'remote'): void {
    if (by === 'self') this.#open('failed', this.#hooks.connection().health.lastAliveAt);
    if (this.#state === null) return;
    if (by === 'self') this.#state.rung = 'replace';
    this.#state.replacement = { at: this.#env.now(), by };
  }

  /** The signaling channel went down or came back (see RecoveryScheduler.signalingChanged). */
  signalingChanged(up: boolean): void {
    this.#scheduler.signalingChanged(up);
  }

  /** The browser came back online. */
  online(): void {
    this.#scheduler.online();
  }

  /** Our restart was negotiated. */
  restartNegotiated(): void {
    this.#restartDone();
  }

  /** The remote restarted ICE: its restart is this incident's too (and the answer to a request). */
  remoteRestarted(): void {
    if (this.#scheduler.active) this.#restartDone();
  }

  /** The remote restarts ICE and our answer will gather anew: with fresh ICE servers. */
  answeringRestart(): Promise<void> {
    const connection = this.#hooks.connection();
    return this.#settings.forAnswer(connection, () => this.#hooks.connection() === connection);
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
    const state = this.#state;
    const now = this.#env.now();
    if (state !== null) noteActivity(state, evidence, connection.monitor.connected, now);
    const recovered = hasRecovered({
      evidence,
      trigger: this.#scheduler.trigger ?? 'manual',
      connected: connection.monitor.connected,
      restartDone: state?.restartDone ?? false,
      probing: connection.probe !== null,
      payloadExpected: state?.payloadExpected ?? false,
      activityForMs: state === null ? 0 : activityForMs(state, now),
    });
    if (recovered) this.#recover();
  }

  /** The native states came back during the incident: ask for a keyframe now, once. */
  reconnected(): void {
    const state = this.#state;
    if (state === null) return;
    this.#hooks.pathBack();
    if (state.keyframeKicked || state.replacement !== null) return;
    state.keyframeKicked = true;
    this.#kick();
  }

  /** Ends the incident without recovery (the remote left, or a new call starts). */
  cancel(): void {
    this.#scheduler.cancel();
    this.#state = null;
  }

  dispose(): void {
    this.#scheduler.dispose();
    this.#state = null;
  }

  /** Opens an incident (or hurries the open one), its state in place before any attempt runs. */
  #open(trigger: Trigger, lostAt: number): void {
    const fresh = this.#scheduler.active
      ? null
      : newIncidentState(lostAt, this.#hooks.connection().monitor.carriesPayload(lostAt));
    if (fresh !== null) this.#state = fresh;
    // The scheduler may run the first attempt right away, inside this call.
    if (this.#scheduler.detect(trigger)) {
      this.#hooks.log('info', 'recovery started', { trigger });
      this.#hooks.checkSignaling();
    } else if (fresh !== null) {
      this.#state = null; // not opened (a give-up holds until a new reason to hope)
    }
  }

  #restartDone(): void {
    const state = this.#state;
    if (state !== null) {
      state.restartDone = true;
      state.restartsWithoutRecovery += 1;
    }
    this.#scheduler.settled();
    this.evidence('restart-done');
  }

  #nextRung(): Rung {
    const state = this.#state;
    if (state === null) return 'restart';
    const { pc } = this.#hooks.connection();
    return this.#settings.nextRung(pc, state.rung, state.restartsWithoutRecovery);
  }

  #attempt(attempt: number, trigger: Trigger): void {
    if (this.#hooks.ignoring()) return;
    const { health, pc } = this.#hooks.connection();
    const now = this.#env.now();
    const verdict = attemptVerdict({
      attempt,
      trigger,
      polite: this.#config.polite,
      now,
      health,
      replacement: this.#state?.replacement ?? null,
    });
    if (verdict === 'restart' && pc.signalingState === 'have-local-offer') {
      // The last offer is still unanswered (it may have gone into a socket that was dead): the
      // browser makes no new one until this is settled, so this attempt sends it again.
      this.#hooks.log('info', 'offer still unanswered, sending it again', { attempt });
      this.#hooks.resendOffer();
      this.#hooks.emit('restartAttempt', {
        attempt,
        trigger,
        rung: this.#state?.rung ?? 'restart',
        action: 'resend',
      });
      return;
    }
    if (verdict === 'restart') {
      void this.#restart(attempt, trigger);
      return;
    }
    if (verdict === 'replace') {
      this.#hooks.log('info', 'the new connection did not come up; replacing it again', {
        attempt,
      });
      this.#hooks.emit('restartAttempt', { attempt, trigger, rung: 'replace', action: 'replace' });
      this.#hooks.replaceConnection();
      this.#scheduler.settled();
      return;
    }
    this.#hooks.log('info', `attempt ${attempt} not needed`, { verdict });
    if (verdict === 'remote-restarted') {
      this.#hooks.emit('restartAttempt', {
        attempt,
        trigger,
        rung: this.#state?.rung ?? 'restart',
        action: 'remote-restart',
      });
    }
    this.#scheduler.settled();
  }

  /** One ICE restart: fresh ICE servers, the rung's transport policy, then restartIce(). */
  async #restart(attempt: number, trigger: Trigger): Promise<void> {
    const state = this.#state;
    const connection = this.#hooks.connection();
    if (state === null) return;
    state.rung = this.#nextRung();
    // The incident may end, or the connection be replaced, while the provider answers.
    const current = (): boolean => this.#state === state && this.#hooks.connection() === connection;
    if (!(await this.#settings.forRestart(connection, state.rung, current))) return;
    const outcome = connection.negotiator.restartIce();
    if (outcome === 'nothing') {
      this.#scheduler.settled();
      return;
    }
    this.#hooks.log('info', 'ICE restart', { attempt, trigger, rung: state.rung, outcome });
    this.#hooks.emit('restartAttempt', { attempt, trigger, rung: state.rung, action: 'restart' });
  }

  #recover(): void {
    const summary = this.#scheduler.recovered();
    const state = this.#state;
    if (summary === null || state === null) return;
    const now = this.#env.now();
    this.#state = null;
    const { health, monitor, probe } = this.#hooks.connection();
    health.lastAliveAt = now;
    // A remote restart belongs to the incident it answered; a later fault needs its own.
    health.lastRemoteRestartAt = null;
    health.reconnectedAt = null;
    monitor.adjustProbe();
    this.#hooks.pathBack();
    this.#hooks.updatePhase('recovered');
    this.#hooks.emit('recovered', {
      trigger: summary.trigger,
      attempts: summary.attempts,
      detectMs: Math.max(0, Math.round(summary.detectedAt - state.lostAt)),
      downtimeMs: Math.max(0, Math.round(now - state.lostAt)),
      path: probe?.path ?? null,
      rung: state.rung,
    });
    // A connection made in this incident starts its encoders afresh, with a keyframe.
    if (!state.keyframeKicked && state.replacement === null) this.#kick();
  }

  #kick(): void {
    if (!this.#config.kickKeyframes) return;
    kickKeyframes(this.#hooks.connection().pc).catch((error: unknown) => {
      this.#hooks.log('warn', 'keyframe kick failed', { error: errorText(error) });
    });
  }
}
