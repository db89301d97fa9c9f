// The demo's one source of truth: what the call is doing, as plain data. The call writes it, the
// UI renders it, and `window.demo` exposes a frozen copy to tests.

import type { Phase, Trigger } from 'resilient-peer';

/** One line of the timeline. */
export interface TimelineEntry {
  readonly at: number;
  readonly kind: 'phase' | 'connection' | 'ice' | 'signaling' | 'recovery' | 'call' | 'error';
  readonly text: string;
}

/** One recovery incident, from the first sign to its outcome. */
export interface Incident {
  readonly id: number;
  /** What started it; 'peer' for an ICE restart the remote side made. */
  trigger: Trigger | 'peer' | 'unknown';
  readonly startedAt: number;
  attempts: number;
  /** From the last sign of life to detection, as the library reported it on recovery. */
  detectMs: number | null;
  /** From the last sign of life to recovery, as the library reported it on recovery. */
  downtimeMs: number | null;
  outcome: 'recovering' | 'recovered' | 'gave-up' | 'renegotiated' | 'abandoned';
  /** When this side detected the fault (Date.now clock); null for a peer-only incident. */
  detectedAt: number | null;
  /** The last stats sample that saw bytes arrive before detection (Date.now clock), if any. */
  lastAliveAt: number | null;
  /** Detection delay estimated from the stats samples until the library reports `detectMs`. */
  detectEstimateMs: number | null;
  /** When the outcome was settled (Date.now clock); null while recovering. */
  closedAt: number | null;
  /** ICE restarts the remote side made during this incident. */
  peerRestarts: number;
}

/** One chat line. */
export interface ChatMessage {
  readonly at: number;
  readonly from: 'me' | 'peer' | 'system';
  readonly text: string;
}

/** The signaling channel as WebSocketSignaling reports it. */
export interface SignalingState {
  readonly up: boolean;
  readonly socket: 'connecting' | 'open' | 'closed';
  readonly peerPresent: boolean;
}

/** Numbers from one getStats() sample. */
export interface Stats {
  readonly rttMs: number | null;
  readonly inKbps: number | null;
  readonly outKbps: number | null;
  readonly pair: string | null;
  readonly localAddress: string | null;
  readonly remoteAddress: string | null;
  readonly video: string | null;
  /** Bytes arrived since the previous sample (transport or inbound-rtp counters). */
  readonly receiving: boolean;
}

export interface DemoState {
  joined: boolean;
  room: string;
  phase: Phase | 'idle';
  connectionState: RTCPeerConnectionState | null;
  iceConnectionState: RTCIceConnectionState | null;
  polite: boolean | null;
  signaling: SignalingState;
  /** Since when the signaling channel has been down (Date.now clock); null while up. */
  signalingDownSince: number | null;
  /** The last stats sample that saw bytes arrive (Date.now clock). */
  lastInboundAt: number | null;
  /** When the next scheduled restart attempt starts (performance.now() clock), if any. */
  nextAttempt: { readonly at: number; readonly attempt: number } | null;
  incidents: Incident[];
  timeline: TimelineEntry[];
  chat: ChatMessage[];
  stats: Stats | null;
  media: 'camera' | 'canvas' | null;
  chatOpen: boolean;
}

const MAX_TIMELINE = 300;

/** Holds the state and tells subscribers, once per frame at most, that it changed. */
export class Store {
  readonly state: DemoState = {
    joined: false,
    room: '',
    phase: 'idle',
    connectionState: null,
    iceConnectionState: null,
    polite: null,
    signaling: { up: false, socket: 'closed', peerPresent: false },
    signalingDownSince: null,
    lastInboundAt: null,
    nextAttempt: null,
    incidents: [],
    timeline: [],
    chat: [],
    stats: null,
    media: null,
    chatOpen: false,
  };
  readonly #listeners = new Set<(state: DemoState) => void>();
  #scheduled = false;
  #nextIncidentId = 1;

  subscribe(listener: (state: DemoState) => void): void {
    this.#listeners.add(listener);
    listener(this.state);
  }

  /** Applies `change` and schedules one render. */
  update(change: (state: DemoState) => void): void {
    change(this.state);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // A microtask, not requestAnimationFrame: a hidden tab gets no frames, and tests read the DOM.
    queueMicrotask(() => {
      this.#scheduled = false;
      for (const listener of this.#listeners) listener(this.state);
    });
  }

  log(kind: TimelineEntry['kind'], text: string): void {
    this.update((s) => {
      s.timeline.push({ at: Date.now(), kind, text });
      if (s.timeline.length > MAX_TIMELINE) s.timeline.splice(0, s.timeline.length - MAX_TIMELINE);
    });
  }

  /** The incident still in progress, if any. */
  openIncident(): Incident | undefined {
    return this.state.incidents.find((incident) => incident.outcome === 'recovering');
  }

  /** The open incident, or else the last one if it closed less than `withinMs` ago. */
  recentIncident(withinMs: number): Incident | undefined {
    const open = this.openIncident();
    if (open) return open;
    const last = this.state.incidents.at(-1);
    return last?.closedAt != null && Date.now() - last.closedAt < withinMs ? last : undefined;
  }

  startIncident(trigger: Incident['trigger']): Incident {
    const incident: Incident = {
      id: this.#nextIncidentId++,
      trigger,
      startedAt: Date.now(),
      attempts: 0,
      detectMs: null,
      downtimeMs: null,
      outcome: 'recovering',
      detectedAt: null,
      lastAliveAt: null,
      detectEstimateMs: null,
      closedAt: null,
      peerRestarts: 0,
    };
    this.update((s) => s.incidents.push(incident));
    return incident;
  }

  /** Settles `incident` with `outcome`. */
  closeIncident(incident: Incident, outcome: Exclude<Incident['outcome'], 'recovering'>): void {
    this.update(() => {
      incident.outcome = outcome;
      incident.closedAt = Date.now();
    });
  }
}

/** When the call went down in `incident`: the last sign of life, else detection, else start. */
export function downSince(incident: Incident): number {
  return incident.lastAliveAt ?? incident.detectedAt ?? incident.startedAt;
}

/** A deep, frozen copy of the state for `window.demo`. */
export function snapshot(state: DemoState): Readonly<DemoState> {
  return deepFreeze(structuredClone(state));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
