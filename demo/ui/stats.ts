// Key numbers of the media path from the last getStats() sample. While the call recovers the
// selected pair carries nothing: its round trip and addresses are from the dead path, so they are
// greyed and the card says there is no media path.

import type { DemoState } from '../state';
import { byId, h } from './dom';

export class StatsView {
  readonly #list = byId('stats');
  readonly #note = byId('path-note');

  render(state: DemoState): void {
    const stats = state.stats;
    const down = state.phase === 'recovering' || state.phase === 'failed';
    const kbps = (value: number | null | undefined): string =>
      value === null || value === undefined ? '—' : `${value.toLocaleString()} kbit/s`;
    /** [term, value, stale]: stale values are the dead pair's, shown greyed. */
    const rows: [string, string, boolean][] = [
      ['Round trip', down ? '—' : stats?.rttMs == null ? '—' : `${stats.rttMs} ms`, down],
      ['Receiving', kbps(stats?.inKbps), false],
      ['Sending', kbps(stats?.outKbps), false],
      ['Candidate pair', down ? 'no media path' : (stats?.pair ?? '—'), down],
      ['Local', stats?.localAddress ?? '—', down],
      ['Remote', stats?.remoteAddress ?? '—', down],
      ['Video in', stats?.video ?? '—', false],
    ];
    this.#note.hidden = !down;
    this.#note.textContent = down
      ? 'No media path: nothing arrives on the last candidate pair. Its addresses are shown greyed.'
      : '';
    this.#list.replaceChildren(
      ...rows.map(([term, value, stale]) =>
        h('div', stale ? { class: 'stale' } : {}, h('dt', {}, term), h('dd', {}, value)),
      ),
    );
  }
}
