// Key numbers of the media path from the last getStats() sample.

import type { DemoState } from '../state';
import { byId, h } from './dom';

export class StatsView {
  readonly #list = byId('stats');

  render(state: DemoState): void {
    const stats = state.stats;
    const kbps = (value: number | null | undefined): string =>
      value === null || value === undefined ? '—' : `${value.toLocaleString()} kbit/s`;
    const rows: [string, string][] = [
      ['Round trip', stats?.rttMs == null ? '—' : `${stats.rttMs} ms`],
      ['Receiving', kbps(stats?.inKbps)],
      ['Sending', kbps(stats?.outKbps)],
      ['Candidate pair', stats?.pair ?? '—'],
      ['Local', stats?.localAddress ?? '—'],
      ['Remote', stats?.remoteAddress ?? '—'],
      ['Video in', stats?.video ?? '—'],
    ];
    this.#list.replaceChildren(
      ...rows.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))),
    );
  }
}
