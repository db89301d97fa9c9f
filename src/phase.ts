// The combined phase of the call, derived in one pure function from both native states and the
// recovery scheduler, so every caller agrees on it and a change is announced exactly once.

/** Where the call is, as one value. */
export type Phase = 'new' | 'connecting' | 'connected' | 'recovering' | 'failed' | 'closed';

/** Everything the phase depends on. */
export interface PhaseInput {
  readonly closed: boolean;
  readonly connectionState: RTCPeerConnectionState;
  readonly iceConnectionState: RTCIceConnectionState;
  /** A recovery incident is open (detected, not yet recovered or given up). */
  readonly recovering: boolean;
  /** The policy gave up on the last incident and nothing has connected since. */
  readonly gaveUp: boolean;
  /** The call has been connected at least once. */
  readonly everConnected: boolean;
}

/** Derives the phase; pure. */
export function derivePhase(input: PhaseInput): Phase {
  if (input.closed || input.connectionState === 'closed') return 'closed';
  // Chromium can report `connected` while ICE is still `disconnected` (and vice versa) for a
  // moment; the call only counts as connected when both agree.
  const connected =
    input.connectionState === 'connected' &&
    (input.iceConnectionState === 'connected' || input.iceConnectionState === 'completed');
  if (input.gaveUp && !connected) return 'failed';
  if (input.recovering) return 'recovering';
  if (connected) return 'connected';
  if (input.everConnected) return 'connected';
  return input.connectionState === 'new' ? 'new' : 'connecting';
}

/** A phase change, or null when the phase stayed the same. */
export function transition(
  from: Phase,
  input: PhaseInput,
): { readonly from: Phase; readonly to: Phase } | null {
  const to = derivePhase(input);
  return to === from ? null : { from, to };
}
