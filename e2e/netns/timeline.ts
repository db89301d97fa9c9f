// Owns the merged, timestamped record of one trial: events the pages log (console lines starting
// with "[rpt] " followed by JSON with `t` and `event`) and marks the test itself adds (cut, restore).

import type { PeerPage } from './peer-page';

/** One entry; `t` is `Date.now()` ms, the same clock in every namespace (one kernel). */
export interface TimelineEvent {
  readonly t: number;
  /** 'a', 'b', or 'test' for marks. */
  readonly source: string;
  readonly event: string;
  readonly data: Readonly<Record<string, unknown>>;
}

const PREFIX = '[rpt] ';

/** Collects the pages' logs and the test's marks in time order. */
export class Timeline {
  readonly #events: TimelineEvent[] = [];
  readonly #waiters = new Set<(entry: TimelineEvent) => void>();
  /** Page console lines that were not timeline events, kept for failure reports. */
  readonly console: string[] = [];

  /** Records every "[rpt] {json}" console line `page` prints from now on. */
  attach(source: string, page: PeerPage): void {
    page.onConsole((type, text) => {
      if (!text.startsWith(PREFIX)) {
        this.console.push(`${source} ${type}: ${text}`);
        return;
      }
      try {
        const { t, event, ...data } = JSON.parse(text.slice(PREFIX.length)) as Record<
          string,
          unknown
        >;
        this.#add({
          t: typeof t === 'number' ? t : Date.now(),
          source,
          event: String(event),
          data,
        });
      } catch {
        this.console.push(`${source} unparsable: ${text}`);
      }
    });
    page.onPageError((message) => this.console.push(`${source} pageerror: ${message}`));
  }

  /** Records a mark from the test, at `t` (default now). */
  mark(event: string, data: Record<string, unknown> = {}, t = Date.now()): void {
    this.#add({ t, source: 'test', event, data });
  }

  /** Every event so far, oldest first. */
  get events(): readonly TimelineEvent[] {
    return this.#events;
  }

  /** The first event at or after `since` from `source` matching `event` (and `where`, if given). */
  find(
    source: string,
    event: string,
    since = 0,
    where: (data: Readonly<Record<string, unknown>>) => boolean = () => true,
  ): TimelineEvent | undefined {
    return this.#events.find(
      (e) => e.t >= since && e.source === source && e.event === event && where(e.data),
    );
  }

  /** Resolves with the first matching event (see `find`), already recorded or yet to come. */
  waitFor(
    source: string,
    event: string,
    options: {
      since?: number;
      where?: (data: Readonly<Record<string, unknown>>) => boolean;
      timeoutMs?: number;
    } = {},
  ): Promise<TimelineEvent> {
    const { since = 0, where = () => true, timeoutMs = 30_000 } = options;
    const found = this.find(source, event, since, where);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = (entry: TimelineEvent): void => {
        if (entry.t < since || entry.source !== source || entry.event !== event) return;
        if (!where(entry.data)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(entry);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no ${source} ${event} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Forgets everything (between trials). */
  clear(): void {
    this.#events.length = 0;
    this.console.length = 0;
  }

  /** One line per event, times relative to `origin` (default: the first event). */
  format(origin = this.#events[0]?.t ?? 0): string {
    return this.#events
      .map(
        (e) =>
          `${String(e.t - origin).padStart(7)} ms  ${e.source}  ${e.event} ${JSON.stringify(e.data)}`,
      )
      .join('\n');
  }

  #add(entry: TimelineEvent): void {
    // Console events can arrive slightly out of order across two browsers; keep the list sorted.
    let i = this.#events.length;
    while (i > 0 && (this.#events[i - 1]?.t ?? 0) > entry.t) i--;
    this.#events.splice(i, 0, entry);
    for (const waiter of [...this.#waiters]) waiter(entry);
  }
}
