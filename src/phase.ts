// The combined phase of the call, derived in one pure function from both native states, the
// recovery scheduler and the remote's presence, so every caller agrees on it and a change is
// announced exactly once.

/** Where the call is, as one value. */
export type Phase =
  'new' | 'connecting' | 'connected' | 'recovering' | 'failed' | 'remote-left' | 'closed';

/** Everything the phase depends on. */
export interface PhaseInput {
  readonly closed: boolean;
  readonly connectionState: RTCPeerConnectionState;
  readonly iceConnectionState: RTCIceConnectionState;
  /** A recovery incident is open (detected, not yet recovered or given up). */
  readonly recovering: boolean;
  /** The policy gave up on the last incident and nothing has connected since. */
  readonly gaveUp: boolean;
  /** The current connection has been connected at least once. */
  readonly everConnected: boolean;
  /** The remote peer said it left (hung up, closed its page) and has not come back. */
  readonly remoteLeft: boolean;
}

/** Both native states say the path works (Chromium can disagree for a moment, either way). */
export function bothConnected(
  connectionState: RTCPeerConnectionState,
  iceConnectionState: RTCIceConnectionState,
): boolean {
  return (
    connectionState === 'connected' &&
    (iceConnectionState === 'connected' || iceConnectionState === 'completed')
  );
}

/** Derives the phase; pure. */
export function derivePhase(input: PhaseInput): Phase {
  if (input.closed || input.connectionState === 'closed') return 'closed';
  if (input.remoteLeft) return 'remote-left';
  const connected = bothConnected(input.connectionState, input.iceConnectionState);
  if (input.gaveUp && !connected) return 'failed';
  if (input.recovering) return 'recovering';
  if (connected || input.everConnected) return 'connected';
  return input.connectionState === 'new' ? 'new' : 'connecting';
}
