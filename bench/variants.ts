// The benchmark's vocabulary, free of browser and harness imports so unit tests can load it.

/** The five handlers under test (see bench/pages/bench.html). */
export const VARIANTS = {
  a: 'MDN naive: restartIce() on iceConnectionState failed',
  b: 'naive: restartIce() on connectionState failed',
  c: 'resilient-peer defaults',
  d: 'resilient-peer, LiveKit delay table, detection on failed only',
  e: 'resilient-peer, stall probe off',
} as const;

export type Variant = keyof typeof VARIANTS;

/** What the cut takes away: the peer-to-peer path only, or everything of peer A (signaling too). */
export type CutKind = 'media' | 'full';

/** One outage shape. */
export interface Case {
  readonly kind: CutKind;
  readonly outageMs: number;
}

/** Short name of a case, e.g. "media 10 s". */
export function caseName(c: Case): string {
  return `${c.kind} ${c.outageMs / 1000} s`;
}
