// Detection decisions as pure functions of what was observed and when: what the native states
// say, when silence counts as a stall, how often to probe, whether a due attempt should really
// restart ICE, and when an incident has recovered. The shell (monitor.ts, resilient-peer.ts)
// feeds them and acts on the answers.

import { bothConnected } from './phase.js';
import type { Trigger } from './policy.js';

/**
 * Payload arriving in every sample for this long is a stream (media, or data sent steadily) that
 * should come back with the path. A single burst (the DTLS/SCTP set-up, a chat message) is not.
 */
export const STEADY_PAYLOAD_MS = 1000;

/**
 * A call that streamed before the break may have stopped streaming during it (a camera turned
 * off, a sender that paused): STUN checks on a connected path after a completed restart for this
 * long then end the incident too.
 */
export const ACTIVITY_WITHOUT_PAYLOAD_MS = 4000;

/** Idle-call stall threshold: an idle call receives only STUN checks, up to ~2.7 s apart (measured). */
export const IDLE_STALL_TIMEOUT_MS = 4000;
/** Probe cadence while recovering: recovery is declared within this long of data returning. */
export const RECOVERING_PROBE_MS = 100;
/** A remote ICE restart this recent makes our own attempt redundant (both saw the same fault). */
export const REMOTE_RESTART_WINDOW_MS = 3000;
/** A connection that replaced a broken one gets this long to connect before attempts resume. */
export const NEW_CONNECTION_GRACE_MS = 4000;
/** After ICE reconnects by itself during an incident, attempts wait this long for the probe. */
export const RECONNECTED_SETTLE_MS = 1000;

/** What the path has shown; `null` means "never". */
export interface PathHealth {
  /** The connection has been connected at least once. */
  everConnected: boolean;
  /** Both native states said connected at the last change. */
  connected: boolean;
  /** When the path last showed life: probe activity, or the moment it left `connected`. */
  lastAliveAt: number;
  /** When media or data (not just STUN) last arrived. */
  lastPayloadAt: number | null;
  /** Where the current unbroken run of samples with payload began; null when the last had none. */
  payloadRunSince: number | null;
  /** How long the last (or current) unbroken run of samples with payload lasted. */
  payloadRunMs: number;
  /** When the native states returned to connected during the open incident. */
  reconnectedAt: number | null;
  /** When the remote peer last sent an offer that restarts ICE. */
  lastRemoteRestartAt: number | null;
}

/** A fresh record for a connection created at `now`. */
export function newPathHealth(now: number): PathHealth {
  return {
    everConnected: false,
    connected: false,
    lastAliveAt: now,
    lastPayloadAt: null,
    payloadRunSince: null,
    payloadRunMs: 0,
    reconnectedAt: null,
    lastRemoteRestartAt: null,
  };
}

/** What the two native states say, as one verdict. */
export type NativeVerdict = 'connected' | 'failed' | 'disconnected' | 'pending';

/**
 * Chromium never reports iceConnectionState `failed` (it stays `disconnected`), so both states
 * are read: connectionState does reach `failed`, ~15 s after a cut.
 */
export function nativeVerdict(
  connectionState: RTCPeerConnectionState,
  iceConnectionState: RTCIceConnectionState,
): NativeVerdict {
  if (bothConnected(connectionState, iceConnectionState)) return 'connected';
  if (connectionState === 'failed' || iceConnectionState === 'failed') return 'failed';
  if (connectionState === 'disconnected' || iceConnectionState === 'disconnected') {
    return 'disconnected';
  }
  return 'pending';
}

/** How often the probe samples: fast while recovering, a third of the stall timeout otherwise. */
export function probeIntervalMs(stallTimeoutMs: number, recovering: boolean): number {
  if (recovering) return RECOVERING_PROBE_MS;
  return Math.min(1000, Math.max(100, Math.round(stallTimeoutMs / 3)));
}

/**
 * A call that carries media or data receives something every few ms, so silence is a stall after
 * `stallTimeoutMs`. An idle call receives only STUN checks and gets a longer threshold.
 */
export function stallThresholdMs(health: PathHealth, now: number, stallTimeoutMs: number): number {
  return payloadFlowing(health, now, stallTimeoutMs)
    ? stallTimeoutMs
    : Math.max(stallTimeoutMs, IDLE_STALL_TIMEOUT_MS);
}

/** Media or data (not just STUN checks) arrived within one stall period and probe tick of `at`. */
export function payloadFlowing(health: PathHealth, at: number, stallTimeoutMs: number): boolean {
  const recentPayload = stallTimeoutMs + probeIntervalMs(stallTimeoutMs, false);
  return health.lastPayloadAt !== null && at - health.lastPayloadAt <= recentPayload;
}

/** Records one probe sample's payload into the run that `streaming` reads. */
export function recordPayloadSample(health: PathHealth, now: number, freshPayload: boolean): void {
  if (!freshPayload) {
    health.payloadRunSince = null;
    return;
  }
  health.lastPayloadAt = now;
  health.payloadRunSince ??= now;
  health.payloadRunMs = now - health.payloadRunSince;
}

/** Payload arrived steadily (not as one burst) up to within one stall period of `at`. */
export function streaming(health: PathHealth, at: number, stallTimeoutMs: number): boolean {
  return payloadFlowing(health, at, stallTimeoutMs) && health.payloadRunMs >= STEADY_PAYLOAD_MS;
}

/** Whether the path has been silent long enough to count as stalled. */
export function isStalled(health: PathHealth, now: number, stallTimeoutMs: number): boolean {
  return now - health.lastAliveAt >= stallThresholdMs(health, now, stallTimeoutMs);
}

/** What to do with an attempt the scheduler says is due. */
export type AttemptVerdict =
  'restart' | 'remote-restarted' | 'just-reconnected' | 'new-connection' | 'replace';

/** The connection replaced a broken one in this incident: when, and which side drove it. */
export interface Replacement {
  readonly at: number;
  /** `self`: this side's transport failed; `remote`: the remote came with a new connection. */
  readonly by: 'self' | 'remote';
}

/** Everything the attempt verdict depends on. */
export interface AttemptInput {
  readonly attempt: number;
  readonly trigger: Trigger;
  readonly polite: boolean;
  readonly now: number;
  readonly health: PathHealth;
  /** The incident's last replacement of the connection, or null. */
  readonly replacement: Replacement | null;
}

/** Whether a due attempt should restart ICE, or is covered by something that just happened. */
export function attemptVerdict(input: AttemptInput): AttemptVerdict {
  const { attempt, trigger, polite, now, health, replacement } = input;
  if (trigger === 'manual' && attempt === 1) return 'restart';
  // A connection that replaced a broken one is never restarted before it connected: in Firefox
  // a restart while DTLS was still to be set up left the video dead. It gets time to come up;
  // then the side whose transport failed replaces it again, and the other side waits for that.
  if (replacement !== null && !health.everConnected) {
    if (replacement.by === 'remote' || now - replacement.at < NEW_CONNECTION_GRACE_MS) {
      return 'new-connection';
    }
    return 'replace';
  }
  const remoteRestartedRecently =
    health.lastRemoteRestartAt !== null &&
    now - health.lastRemoteRestartAt < REMOTE_RESTART_WINDOW_MS;
  // The remote side restarted ICE for the same fault moments ago; a second restart would only
  // send a colliding offer. During a long outage both sides keep trying; the polite side then
  // leaves the restarts to the other one while it hears them, so one restart stream crosses.
  if (remoteRestartedRecently && (attempt === 1 || polite)) return 'remote-restarted';
  // ICE has just come back by itself; a restart now would only tear down the fresh path while
  // the probe is confirming that data flows.
  if (
    health.connected &&
    health.reconnectedAt !== null &&
    now - health.reconnectedAt < RECONNECTED_SETTLE_MS
  ) {
    return 'just-reconnected';
  }
  return 'restart';
}

/** What was just seen that might end an incident. */
export type RecoveryEvidence =
  /** The probe saw new packets on the connection, STUN checks only. */
  | 'activity'
  /** The probe saw media or data arrive. */
  | 'payload'
  /** The native states returned to connected. */
  | 'native-connected'
  /** A restart's offer and answer were applied with new ICE credentials. */
  | 'restart-done';

/** Everything the recovery verdict depends on. */
export interface RecoveryInput {
  readonly evidence: RecoveryEvidence;
  readonly trigger: Trigger;
  /** Both native states are connected now. */
  readonly connected: boolean;
  /** A restart of this incident has been negotiated. */
  readonly restartDone: boolean;
  /** The stats probe runs (stallTimeoutMs > 0). */
  readonly probing: boolean;
  /** The call was streaming media or data when the path broke. */
  readonly payloadExpected: boolean;
  /** How long STUN activity has been seen since the restart was done; 0 when none yet. */
  readonly activityForMs: number;
}

/**
 * Whether the incident is over. With the probe, only new packets prove it, and for a call that
 * was streaming media or data only their return does: a restart's new candidate pairs receive
 * STUN checks before ICE moves the call onto them (seen 2-3 s before media, UDP blocked and a
 * TURN/TCP pair taking over, while the old pair still said connected) — unless the checks go on
 * for ACTIVITY_WITHOUT_PAYLOAD_MS and the stream simply stopped. Without the probe, the native
 * states returning to connected, or a completed restart on a connected path (a restart over a
 * working path changes no state). A manual restart is done only when the restart is done: until
 * then the old path merely kept working.
 */
export function hasRecovered(input: RecoveryInput): boolean {
  if (!input.connected) return false;
  if (input.trigger === 'manual' && !input.restartDone) return false;
  if (input.probing) {
    if (input.evidence === 'payload') return true;
    return (
      input.evidence === 'activity' &&
      (!input.payloadExpected || input.activityForMs >= ACTIVITY_WITHOUT_PAYLOAD_MS)
    );
  }
  return input.evidence === 'native-connected' || input.evidence === 'restart-done';
}
