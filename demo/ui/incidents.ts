// The table of recovery incidents: what triggered each, how long detection took, how many
// attempts it needed, how long the call was down, and how it ended. While an incident is open its
// detection delay is an estimate from the stats samples and its downtime runs live.

import { downSince, type DemoState, type Incident } from '../state';
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
  #timer: ReturnType<typeof setInterval> | undefined;

  render(state: DemoState): void {
    const key = JSON.stringify(state.incidents);
    if (key === this.#key) return;
    this.#key = key;
    clearInterval(this.#timer);
    this.#timer = undefined;
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
          this.#detectCell(incident),
          h(
            'td',
            { class: 'num' },
            incident.trigger === 'peer' ? '—' : String(incident.attempts),
            incident.trigger !== 'peer' &&
              incident.peerRestarts > 0 &&
              h('span', { class: 'sub' }, `+${incident.peerRestarts} by peer`),
          ),
          this.#downtimeCell(incident),
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

  /** The library's figure once recovered; until then an estimate and the time of detection. */
  #detectCell(incident: Incident): HTMLElement {
    const value =
      incident.detectMs !== null
        ? duration(incident.detectMs)
        : incident.detectEstimateMs !== null
          ? `≈${duration(incident.detectEstimateMs)}`
          : '—';
    return h(
      'td',
      { class: 'num' },
      value,
      incident.detectedAt !== null &&
        h(
          'time',
          { class: 'sub' },
          h('span', { class: 'long' }, 'at '),
          clock(incident.detectedAt).slice(0, 8),
        ),
    );
  }

  /** The library's figure once recovered; while recovering, a running count. */
  #downtimeCell(incident: Incident): HTMLElement {
    if (incident.outcome !== 'recovering' || incident.downtimeMs !== null) {
      return h('td', { class: 'num' }, duration(incident.downtimeMs));
    }
    const since = downSince(incident);
    const cell = h('td', { class: 'num live' });
    const tick = (): void => {
      const text = `${Math.max(0, Math.floor((Date.now() - since) / 1000))} s…`;
      if (cell.textContent !== text) cell.textContent = text;
    };
    tick();
    this.#timer = setInterval(tick, 250);
    return cell;
  }
}
