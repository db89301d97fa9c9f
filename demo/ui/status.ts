// The status banner: the phase in large coloured type (announced to screen readers), what it
// means, the countdown to the next restart attempt, and pills for signaling and native states.

import type { DemoState } from '../state';
import { byId, h } from './dom';

const HEADLINES: Record<DemoState['phase'], string> = {
  idle: 'Not in a call',
  new: 'Waiting',
  connecting: 'Connecting',
  connected: 'Connected',
  recovering: 'Recovering',
  failed: 'Failed',
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
      return `The path broke. Restarting ICE under the “${policyLabel}” policy.`;
    case 'failed':
      return 'The policy gave up. “Force ICE restart” tries again; so does the path healing.';
    case 'closed':
      return 'You left the room. Join again whenever you like.';
  }
}

export class StatusView {
  readonly #root = byId('status');
  readonly #phase = byId('phase');
  readonly #explain = byId('phase-explain');
  readonly #countdown = byId('countdown');
  readonly #pills = byId('pills');
  #timer: ReturnType<typeof setInterval> | undefined;

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

function signalingText(state: DemoState): string {
  const { up, socket, peerPresent } = state.signaling;
  if (up) return 'up';
  if (socket === 'open') return peerPresent ? 'open' : 'open, no peer';
  return socket;
}

function signalingTone(state: DemoState): string {
  if (!state.joined) return 'neutral';
  if (state.signaling.up) return 'good';
  return state.signaling.socket === 'open' ? 'wait' : 'bad';
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
