// The typed events a ResilientPeer emits; each carries one readonly payload object so fields can
// be added later without breaking listeners.

import type { ResilientPeerError } from './errors';
import type { Phase } from './phase';
import type { Trigger } from './policy';

/** Why the phase changed. */
export type PhaseCause =
  'native-state' | 'detected' | 'recovered' | 'gave-up' | 'restart' | 'closed';

/** The phase changed (fired after internal state is committed). */
export interface PhaseChangeEvent {
  readonly from: Phase;
  readonly to: Phase;
  readonly cause: PhaseCause;
}

/** An ICE-restart attempt was scheduled. */
export interface RestartScheduledEvent {
  readonly attempt: number;
  readonly delayMs: number;
  readonly trigger: Trigger;
}

/** An ICE-restart attempt started: `restartIce()` was called. */
export interface RestartAttemptEvent {
  readonly attempt: number;
  readonly trigger: Trigger;
}

/** The call works again: connected, and data arrives on the selected pair. */
export interface RecoveredEvent {
  readonly trigger: Trigger;
  /** Attempts this incident took (0 when the path healed before any attempt). */
  readonly attempts: number;
  /** From the last sign of life to detection, in ms. */
  readonly detectMs: number;
  /** From the last sign of life to recovery, in ms. */
  readonly downtimeMs: number;
}

/** The policy gave up; the phase is `failed` until `restart()` or the path heals. */
export interface GaveUpEvent {
  readonly attempts: number;
  readonly elapsedMs: number;
}

/** Something went wrong that the app should know about; the peer carries on. */
export interface ErrorEvent {
  readonly error: ResilientPeerError;
}

/** Event map of ResilientPeer, for eventemitter3's typed `on`/`emit`. */
export interface ResilientPeerEvents {
  phaseChange: (event: PhaseChangeEvent) => void;
  restartScheduled: (event: RestartScheduledEvent) => void;
  restartAttempt: (event: RestartAttemptEvent) => void;
  recovered: (event: RecoveredEvent) => void;
  gaveUp: (event: GaveUpEvent) => void;
  error: (event: ErrorEvent) => void;
}
