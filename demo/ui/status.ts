// The status banner: the phase in large coloured type (announced to screen readers), what it
// means (for recovery: what was detected), the countdown to the next restart attempt, how long
// the call has been down, and pills for signaling and native states.

import { downSince, type DemoState, type Incident } from '../state';
import { byId, h } from './dom';

const HEADLINES: Record<DemoState['phase'], string> = {
  idle: 'Not in a call',
  new: 'Waiting',
  connecting: 'Connecting',
  connected: 'Connected',
  recovering: 'Recovering',
  failed: 'Failed',
  'remote-left': 'Alone',
  closed: 'Left',
};

function explain(state: DemoState, policyLabel: string): string {
  switch (state.phase) {
    case 'idle':
      return 'Choose a room and join. Then open the invite link in another tab or on a phone.';
    case 'new':
      return state.signaling.peerPresent
        ? 'The other side is here; setting up the connection.'
        : `Waiting for someone to join room “${state.room}”.`;
    case 'connecting':
      return 'Negotiating and checking ICE candidates.';
    case 'connected':
      return 'Media and chat flow directly between the two browsers.';
    case 'recovering':
      return `${detection(state)} Policy: “${policyLabel}”.`;
    case 'failed':
      return 'The policy gave up. “Force ICE restart” tries again; so does the path healing.';
    case 'remote-left':
      return `The other side left. Waiting for someone to join room “${state.room}” again.`;
    case 'closed':
      return 'You left the room. Join again whenever you like.';
  }
}

/** What the library detected, in words, for the open incident. */
function detection(state: DemoState): string {
  const incident = openIncident(state);
  const native = state.connectionState ?? 'new';
  switch (incident?.trigger) {
    case 'stall':
      return native === 'connected'
        ? 'No packets for 1.5 s — restarting ICE (the browser still says connected).'
        : `No packets for 1.5 s — restarting ICE (the browser now says ${native}).`;
    case 'disconnected':
      return 'The browser reported the connection disconnected for over 1 s — restarting ICE.';
    case 'failed':
      return 'The browser reported the connection failed — restarting ICE.';
    case 'connect-timeout':
      return 'The first connection did not come up in time — restarting ICE.';
    case 'network-change':
      return 'This device’s network changed — restarting ICE.';
    case 'signaling-restored':
      return 'Signaling came back while the media path was unhealthy — restarting ICE.';
    case 'manual':
      return 'ICE restart forced by hand.';
    default:
      return 'The path broke — restarting ICE.';
  }
}

function openIncident(state: DemoState): Incident | undefined {
  return state.incidents.find((incident) => incident.outcome === 'recovering');
}

export class StatusView {
  readonly #root = byId('status');
  readonly #phase = byId('phase');
  readonly #explain = byId('phase-explain');
  readonly #countdown = byId('countdown');
  readonly #pills = byId('pills');
  readonly #down = byId('down-for');
  #timer: ReturnType<typeof setInterval> | undefined;
  #downTimer: ReturnType<typeof setInterval> | undefined;

  render(state: DemoState, policyLabel: string): void {
    this.#root.dataset.phase = state.phase;
    document.body.dataset.phase = state.phase;
    const headline = HEADLINES[state.phase];
    // Touch the live region only when the words change, so screen readers hear each phase once.
    if (this.#phase.textContent !== headline) this.#phase.textContent = headline;
    this.#explain.textContent = explain(state, policyLabel);
    this.#pills.replaceChildren(
      pill('Signaling', signalingText(state), signalingTone(state)),
      pill('Role', state.polite === null ? '—' : state.polite ? 'polite' : 'impolite', 'neutral'),
      pill('connectionState', state.connectionState ?? '—', nativeTone(state.connectionState)),
      pill(
        'iceConnectionState',
        state.iceConnectionState ?? '—',
        nativeTone(state.iceConnectionState),
      ),
    );
    this.#renderCountdown(state);
    this.#renderDown(state);
  }

  /** "Down for N s" while recovering, counting from the last sign of life. */
  #renderDown(state: DemoState): void {
    clearInterval(this.#downTimer);
    this.#downTimer = undefined;
    const incident = openIncident(state);
    if (state.phase !== 'recovering' || incident === undefined) {
      this.#down.hidden = true;
      this.#down.textContent = '';
      return;
    }
    const since = downSince(incident);
    this.#down.hidden = false;
    const tick = (): void => {
      const seconds = Math.max(0, Math.floor((Date.now() - since) / 1000));
      const text = `Down for ${seconds} s`;
      if (this.#down.textContent !== text) this.#down.textContent = text;
    };
    tick();
    this.#downTimer = setInterval(tick, 250);
  }

  #renderCountdown(state: DemoState): void {
    const next = state.nextAttempt;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (next === null) {
      const busy = state.phase === 'recovering';
      this.#countdown.hidden = !busy;
      this.#countdown.textContent = busy ? 'Restart attempt in progress…' : '';
      return;
    }
    this.#countdown.hidden = false;
    const tick = (): void => {
      const left = Math.max(0, next.at - performance.now());
      this.#countdown.textContent = `Attempt ${next.attempt} in ${(left / 1000).toFixed(1)} s`;
      if (left === 0) clearInterval(this.#timer);
    };
    tick();
    this.#timer = setInterval(tick, 100);
  }
}

function pill(label: string, value: string, tone: string): HTMLElement {
  return h(
    'span',
    { class: 'pill', 'data-tone': tone },
    h('span', { class: 'pill-label' }, label),
    h('span', { class: 'pill-value' }, value),
  );
}

/** Signaling down this briefly is routine (a socket reconnecting); longer is worth alarm. */
const SIGNALING_GRACE_MS = 5000;

function signalingBriefly(state: DemoState): boolean {
  const since = state.signalingDownSince;
  return since !== null && Date.now() - since < SIGNALING_GRACE_MS;
}

function signalingText(state: DemoState): string {
  const { up, socket, peerPresent } = state.signaling;
  if (up) return 'up';
  if (socket === 'open') return peerPresent ? 'open' : 'open, no peer';
  if (socket === 'closed' && state.joined && signalingBriefly(state)) return 'reconnecting';
  return socket;
}

function signalingTone(state: DemoState): string {
  if (!state.joined) return 'neutral';
  if (state.signaling.up) return 'good';
  return state.signaling.socket === 'open' || signalingBriefly(state) ? 'wait' : 'bad';
}

function nativeTone(value: string | null): string {
  switch (value) {
    case 'connected':
    case 'completed':
      return 'good';
    case 'new':
    case 'connecting':
    case 'checking':
      return 'wait';
    case 'disconnected':
      return 'warn';
    case 'failed':
      return 'bad';
    default:
      return 'neutral';
  }
}
