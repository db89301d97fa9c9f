// The open incident's state, in one object with explicit "unset" values, and the small rules that
// update it from what the probe saw.

import type { RecoveryEvidence, Replacement } from './detection.js';
import type { Rung } from './escalation.js';

/** The open incident's state; null between incidents. */
export interface IncidentState {
  /** The last sign of life before detection (detection itself for a manual restart). */
  readonly lostAt: number;
  /** A restart of this incident has been negotiated (by either side). */
  restartDone: boolean;
  /** Restarts negotiated in this incident that have not brought the path back. */
  restartsWithoutRecovery: number;
  /** Media or data were streaming when the path broke: their return ends the incident. */
  readonly payloadExpected: boolean;
  /** When STUN activity was first seen after the restart was done; null before. */
  activitySince: number | null;
  rung: Rung;
  /** The last replacement of the connection in this incident, or null. */
  replacement: Replacement | null;
  keyframeKicked: boolean;
}

/** The state of an incident whose path was last alive at `lostAt`. */
export function newIncidentState(lostAt: number, payloadExpected: boolean): IncidentState {
  return {
    lostAt,
    restartDone: false,
    restartsWithoutRecovery: 0,
    payloadExpected,
    activitySince: null,
    rung: 'restart',
    replacement: null,
    keyframeKicked: false,
  };
}

/** STUN activity on a connected path after the restart was done starts the activity clock. */
export function noteActivity(
  state: IncidentState,
  evidence: RecoveryEvidence,
  connected: boolean,
  now: number,
): void {
  if (state.restartDone && evidence === 'activity' && connected) state.activitySince ??= now;
}

/** How long STUN activity has been seen since the restart was done; 0 before any. */
export function activityForMs(state: IncidentState, now: number): number {
  return state.activitySince === null ? 0 : now - state.activitySince;
}
