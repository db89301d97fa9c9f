// Watches one connection for trouble: turns native state changes, stats samples and timers
// (the `disconnected` grace period, the first-connection deadline) into detections and into
// evidence of recovery, using the pure verdicts of detection.ts. Owns those timers and the probe's
// cadence; the facade owns what happens next.

import {
  isStalled,
  nativeVerdict,
  probeIntervalMs,
  recordPayloadSample,
  streaming,
  type PathHealth,
  type RecoveryEvidence,
} from './detection.js';
import type { Env, Timer } from './env.js';
import { transportGone } from './escalation.js';
import type { ActivityDelta } from './path-activity.js';
import type { PathProbe } from './path-probe.js';
import type { Trigger } from './policy.js';

/**
 * A first connection that is negotiated but not connected this long gets an ICE restart. Chromium
 * sometimes gathers no candidates after a polite rollback, and would otherwise sit in `new` for
 * good; on a working path ICE connects in well under 1 s.
 */
export const CONNECT_TIMEOUT_MS = 4000;

/** What the monitor tells its owner. */
export interface MonitorHooks {
  readonly detect: (trigger: Trigger) => void;
  /** The browser closed DTLS or SCTP of a connection that had worked: no restart can help. */
  readonly transportFailed: () => void;
  /** Something that may end the open incident. */
  readonly evidence: (evidence: RecoveryEvidence) => void;
  /** The native states returned to connected during an incident (ask for a keyframe now). */
  readonly reconnected: () => void;
  /** An incident is open. */
  readonly recovering: () => boolean;
}

/** The timing options the monitor reads. */
export interface MonitorConfig {
  readonly stallTimeoutMs: number;
  readonly disconnectedGraceMs: number;
}

/** See the file comment. */
export class Monitor {
  readonly #pc: RTCPeerConnection;
  readonly #probe: PathProbe | null;
  readonly #health: PathHealth;
  readonly #env: Pick<Env, 'now' | 'setTimeout' | 'clearTimeout'>;
  readonly #config: MonitorConfig;
  readonly #hooks: MonitorHooks;
  #graceTimer: Timer;
  #graceArmed = false;
  #connectTimer: Timer;
  #connectArmed = false;

  constructor(
    connection: {
      readonly pc: RTCPeerConnection;
      readonly probe: PathProbe | null;
      readonly health: PathHealth;
    },
    env: Pick<Env, 'now' | 'setTimeout' | 'clearTimeout'>,
    config: MonitorConfig,
    hooks: MonitorHooks,
  ) {
    this.#pc = connection.pc;
    this.#probe = connection.probe;
    this.#health = connection.health;
    this.#env = env;
    this.#config = config;
    this.#hooks = hooks;
  }

  /** Both native states said connected at the last change. */
  get connected(): boolean {
    return this.#health.connected;
  }

  /** Media or data (not just STUN checks) were streaming in at `at`. */
  carriesPayload(at: number): boolean {
    return streaming(this.#health, at, this.#config.stallTimeoutMs);
  }

  /** The connection has been connected, and is not now. */
  get unhealthy(): boolean {
    return this.#health.everConnected && !this.#health.connected;
  }

  /** A native state changed. */
  onNative(): void {
    const health = this.#health;
    const now = this.#env.now();
    const verdict = nativeVerdict(this.#pc.connectionState, this.#pc.iceConnectionState);
    if (verdict === 'connected') {
      const wasConnected = health.connected;
      health.connected = true;
      health.everConnected = true;
      this.#clearTimers();
      this.adjustProbe();
      if (!wasConnected && this.#hooks.recovering()) {
        // Back from a native drop during an incident: look at the path now rather than at the
        // next tick, so no scheduled attempt slips in before the probe confirms it.
        health.reconnectedAt = now;
        this.#probe?.sampleNow();
        this.#hooks.reconnected();
      }
      if (!wasConnected) this.#hooks.evidence('native-connected');
      return;
    }
    // Without the probe, the last sign of life is the moment the native state left `connected`.
    if (health.connected && this.#probe === null) health.lastAliveAt = now;
    health.connected = false;
    if (verdict === 'failed') {
      if (health.everConnected && transportGone(this.#pc)) this.#hooks.transportFailed();
      else this.#hooks.detect('failed');
    } else if (verdict === 'disconnected' && health.everConnected) {
      this.#startGrace();
    }
  }

  /** A stats sample arrived. */
  onSample(delta: ActivityDelta): void {
    const health = this.#health;
    const now = this.#env.now();
    recordPayloadSample(health, now, delta.freshPayload);
    if (delta.fresh) {
      health.lastAliveAt = now;
      this.#hooks.evidence(delta.freshPayload ? 'payload' : 'activity');
      return;
    }
    if (
      !this.#hooks.recovering() &&
      health.everConnected &&
      isStalled(health, now, this.#config.stallTimeoutMs)
    ) {
      this.#hooks.detect('stall');
    }
  }

  /** The signaling state changed: once offer and answer are applied, the first connection is due. */
  onSignalingState(): void {
    const pc = this.#pc;
    if (this.#health.everConnected || this.#connectArmed) return;
    if (pc.signalingState !== 'stable' || pc.remoteDescription === null) return;
    this.#connectArmed = true;
    this.#connectTimer = this.#env.setTimeout(() => {
      if (!this.#health.everConnected) this.#hooks.detect('connect-timeout');
    }, CONNECT_TIMEOUT_MS);
  }

  /** Runs the probe at the cadence the incident state asks for. */
  adjustProbe(): void {
    this.#probe?.run(probeIntervalMs(this.#config.stallTimeoutMs, this.#hooks.recovering()));
  }

  /** Looks at the path now (a network change may have killed it before ICE notices). */
  sampleNow(): void {
    this.#probe?.sampleNow();
  }

  stop(): void {
    this.#clearTimers();
    this.#env.clearTimeout(this.#connectTimer);
    this.#probe?.stop();
  }

  #startGrace(): void {
    if (this.#graceArmed || this.#hooks.recovering()) return;
    this.#graceArmed = true;
    this.#graceTimer = this.#env.setTimeout(() => {
      this.#graceArmed = false;
      const verdict = nativeVerdict(this.#pc.connectionState, this.#pc.iceConnectionState);
      if (verdict === 'disconnected') this.#hooks.detect('disconnected');
    }, this.#config.disconnectedGraceMs);
  }

  #clearTimers(): void {
    this.#env.clearTimeout(this.#graceTimer);
    this.#graceArmed = false;
    this.#env.clearTimeout(this.#connectTimer);
  }
}
