// The timeline: every phase change, both native states, signaling changes and recovery steps,
// newest first, each with its wall-clock time.

import type { DemoState, TimelineEntry } from '../state';
import { byId, clock, h } from './dom';

const LABELS: Record<TimelineEntry['kind'], string> = {
  phase: 'phase',
  connection: 'connection',
  ice: 'ICE',
  signaling: 'signaling',
  recovery: 'recovery',
  call: 'call',
  error: 'error',
};

export class TimelineView {
  readonly #list = byId('timeline');
  #last: TimelineEntry | undefined;

  render(state: DemoState): void {
    const last = state.timeline.at(-1);
    if (last === this.#last) return;
    this.#last = last;
    const items = state.timeline
      .slice()
      .reverse()
      .map((entry) =>
        h(
          'li',
          { 'data-kind': entry.kind },
          h('time', { datetime: new Date(entry.at).toISOString() }, clock(entry.at)),
          h('span', { class: 'chip' }, LABELS[entry.kind]),
          h('span', { class: 'entry-text' }, entry.text),
        ),
      );
    if (items.length === 0) items.push(h('li', { class: 'empty' }, 'Nothing yet.'));
    this.#list.replaceChildren(...items);
  }
}
