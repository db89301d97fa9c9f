// The table of recovery incidents: what triggered each, how long detection took, how many
// attempts it needed, how long the call was down, and how it ended.

import type { DemoState, Incident } from '../state';
import { byId, clock, duration, h } from './dom';

const TRIGGERS: Record<Incident['trigger'], string> = {
  failed: 'failed',
  disconnected: 'disconnected',
  stall: 'stall',
  'connect-timeout': 'connect timeout',
  'network-change': 'network change',
  'signaling-restored': 'signaling back',
  manual: 'manual',
  peer: 'peer restarted',
  unknown: '…',
};

const OUTCOMES: Record<Incident['outcome'], string> = {
  recovering: 'recovering…',
  recovered: 'recovered',
  'gave-up': 'gave up',
  renegotiated: 'renegotiated',
  abandoned: 'abandoned',
};

export class IncidentsView {
  readonly #body = byId('incidents');
  #key = '';

  render(state: DemoState): void {
    const key = JSON.stringify(state.incidents);
    if (key === this.#key) return;
    this.#key = key;
    const rows = state.incidents
      .slice()
      .reverse()
      .map((incident) =>
        h(
          'tr',
          { 'data-outcome': incident.outcome },
          h(
            'td',
            {},
            h('span', { class: 'trigger' }, TRIGGERS[incident.trigger]),
            h('time', { class: 'sub' }, clock(incident.startedAt).slice(0, 8)),
          ),
          h('td', { class: 'num' }, duration(incident.detectMs)),
          h('td', { class: 'num' }, incident.trigger === 'peer' ? '—' : String(incident.attempts)),
          h('td', { class: 'num' }, duration(incident.downtimeMs)),
          h('td', {}, h('span', { class: 'outcome' }, OUTCOMES[incident.outcome])),
        ),
      );
    if (rows.length === 0) {
      rows.push(
        h(
          'tr',
          { class: 'empty' },
          h('td', { colspan: '5' }, 'None yet. Cut the network, or press “Force ICE restart”.'),
        ),
      );
    }
    this.#body.replaceChildren(...rows);
  }
}
